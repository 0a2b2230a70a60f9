"""The class's submissions as the coordinator sees them: who handed in, and a fingerprint of what.

A fingerprint covers the submission's files and everything that decides its grade (the course's
nbgrader configuration, the source notebooks and the autograder's code), so that a second run skips
a submission only when regrading it could not change anything.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

import autograder

CONFIG_FILE = "nbgrader_config.py"


def course_config(root):
    """The traitlets Config of the course whose nbgrader_config.py is in root."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()


def load_course(root):
    """(Config, CourseDirectory) of the course in root: its nbgrader_config.py, read once, and nbgrader's
    paths, db_url and course_id from it."""
    config = course_config(root)
    return config, CourseDirectory(config=config)


def files_of(folder):
    """{relative path: bytes} of every file below folder, in sorted order."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_files(folder, files, modes=None):
    """The inverse of files_of: write {relative path: bytes} below folder (with modes {relative path:
    permission bits} where given). A path that would leave folder is refused with a ValueError."""
    folder = Path(folder)
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"refusing to write {name!r} outside {folder}")
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if modes and name in modes:
            target.chmod(modes[name])


def digest(files, seed=b""):
    """A hex digest of {relative path: bytes} (and seed)."""
    h = hashlib.sha256(seed)
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def grader_fingerprint(coursedir, assignment):
    """A digest of what decides a grade besides the submission: the config, the assignment's source
    folder and the autograder package's code."""
    root = Path(coursedir.root)
    code = Path(autograder.__file__).resolve().parent
    parts = {CONFIG_FILE: (root / CONFIG_FILE).read_bytes()}
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    parts |= {f"source/{name}": data for name, data in files_of(source).items()}
    parts |= {f"autograder/{p.relative_to(code).as_posix()}": p.read_bytes() for p in sorted(code.rglob("*.py"))}
    return digest(parts)


def fingerprint(files, grader):
    """The fingerprint of a submission's files ({relative path: bytes}) graded by grader (a grader_fingerprint)."""
    return digest(files, grader.encode())


@dataclass(frozen=True)
class Submission:
    student: str
    folder: Path  # submitted/<student>/<assignment>/

    def fingerprint(self, grader):
        return fingerprint(files_of(self.folder), grader)


def find_submissions(coursedir, assignment, students=None):
    """The submissions of assignment in the course's submitted/ folder, sorted by student id.
    students: only these (a ValueError names any of them without a submission)."""
    submitted = Path(coursedir.root, coursedir.submitted_directory)
    found = {}
    if submitted.is_dir():
        for student_dir in sorted(submitted.iterdir()):
            folder = Path(coursedir.format_path(coursedir.submitted_directory, student_dir.name, assignment))
            if student_dir.is_dir() and folder.is_dir():
                found[student_dir.name] = Submission(student_dir.name, folder)
    if students:
        missing = sorted(set(students) - set(found))
        if missing:
            raise ValueError(f"no submission of {assignment} in {submitted} for: {', '.join(missing)}")
        return [found[s] for s in sorted(set(students))]
    return list(found.values())
