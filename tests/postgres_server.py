"""A throwaway PostgreSQL server for the tests: Debian's binaries (``postgresql``, installed by .ci/run),
listening only on a Unix socket in a temporary folder, so no port is taken and nothing else reaches it.

pytest-postgresql would start it as the current user, and initdb refuses to run as root, which is
what CI runs as; so here initdb and pg_ctl run as the ``postgres`` user (created by the Debian
package) when the tests run as root.
"""

import glob
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path


def postgres_bin():
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    path = found[-1] if found else shutil.which("pg_ctl")
    return Path(path).parent if path else None


def unavailable():
    """Why no server can be started here, or None."""
    if postgres_bin() is None:
        return "PostgreSQL's server programs are not installed (apt-get install postgresql, as .ci/run does)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, so initdb cannot run as the postgres user"
    return None


def _as_server_user(argv):
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def postgres_server(folder, database="gradebook"):
    """Start a server with its data and socket in folder; yield the SQLAlchemy URL of a fresh database."""
    folder = Path(folder)
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
        for parent in folder.parents:  # the server user must be able to reach its folder
            if parent.stat().st_mode & 0o001 == 0:
                parent.chmod(parent.stat().st_mode | 0o001)
    bin_dir = postgres_bin()

    def run(*argv):
        subprocess.run(_as_server_user([str(bin_dir / argv[0]), *argv[1:]]), check=True, capture_output=True,
                       text=True, timeout=120)

    run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
        f"-c listen_addresses='' -k {sockets} -c fsync=off", "start")
    try:
        import psycopg

        with psycopg.connect(host=str(sockets), user="postgres", dbname="postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{database}"')
        yield f"postgresql+psycopg://postgres@/{database}?host={sockets}"
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
