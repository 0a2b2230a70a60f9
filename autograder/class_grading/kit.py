"""What a worker needs from the course to grade one of its submissions, built once per run.

A worker never opens the course's gradebook: it gets an SQLite file that holds only the assignment's
definition (its notebooks and cells, as ``generate_assignment`` recorded them, which ``OverwriteCells``
restores from), copied row by row from the course's gradebook, whatever database that is. With it
come the course's nbgrader_config.py and the files of the assignment's source folder that autograde
copies into every submission. The kit is plain bytes, so it travels to a cluster's workers as it is.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from nbgrader import utils
from nbgrader.api import Base, Gradebook

from .submissions import CONFIG_FILE


class NotReleased(Exception):
    """The course's gradebook has no definition of the assignment (generate_assignment never ran)."""


@dataclass(frozen=True)
class Kit:
    course_id: str
    assignment: str
    config: bytes            # the course's nbgrader_config.py
    definition: bytes        # an SQLite gradebook with the assignment's definition only
    source_files: dict       # {path relative to source/<assignment>/: bytes}, notebooks excluded


def _rows(connection, table, column, values):
    return [dict(row) for row in connection.execute(sa.select(table).where(column.in_(values))).mappings()]


def definition_rows(db_url, course_id, assignment):
    """[(table name, rows)] of the assignment's definition in the gradebook at db_url, in insert order."""
    t = Base.metadata.tables
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as db:
            assignments = [dict(r) for r in db.execute(sa.select(t["assignment"]).where(
                t["assignment"].c.name == assignment, t["assignment"].c.course_id == course_id)).mappings()]
            if not assignments:
                raise NotReleased(f"the gradebook has no assignment {assignment!r} of course {course_id!r}: "
                                  f"run `python3 course.py release` (nbgrader generate_assignment) first")
            notebooks = _rows(db, t["notebook"], t["notebook"].c.assignment_id, [a["id"] for a in assignments])
            notebook_ids = [n["id"] for n in notebooks]
            cells = _rows(db, t["base_cell"], t["base_cell"].c.notebook_id, notebook_ids)
            cell_ids = [c["id"] for c in cells]
            tables = [("assignment", assignments), ("notebook", notebooks), ("base_cell", cells)]
            tables += [(name, _rows(db, t[name], t[name].c.id, cell_ids))
                       for name in ("grade_cells", "solution_cells", "task_cells")]
            tables.append(("source_cell", _rows(db, t["source_cell"], t["source_cell"].c.notebook_id, notebook_ids)))
            return tables
    finally:
        engine.dispose()


def schema_version(db_url):
    """The alembic revision of the gradebook at db_url's schema, or None when it records none."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as db:
            if not sa.inspect(db).has_table("alembic_version"):
                return None
            return db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def build_kit(coursedir, assignment):
    """The Kit of assignment in the course of coursedir (a CourseDirectory)."""
    rows = definition_rows(coursedir.db_url, coursedir.course_id, assignment)
    with tempfile.TemporaryDirectory(prefix="course-kit-") as work:
        path = Path(work, "gradebook.db")
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            version = schema_version(coursedir.db_url)
            if version:  # the course's revision, written first: Gradebook then need not run `alembic heads`
                with engine.begin() as db:
                    db.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
                    db.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
            with Gradebook(f"sqlite:///{path}", coursedir.course_id):  # the schema and the course's row
                pass
            with engine.begin() as db:
                for name, table_rows in rows:
                    if table_rows:
                        db.execute(sa.insert(Base.metadata.tables[name]), table_rows)
        finally:
            engine.dispose()
        definition = path.read_bytes()
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    copied = utils.find_all_files(str(source), coursedir.ignore + ["*.ipynb"]) if source.is_dir() else []
    return Kit(coursedir.course_id, assignment, Path(coursedir.root, CONFIG_FILE).read_bytes(), definition,
               {Path(p).relative_to(source).as_posix(): Path(p).read_bytes() for p in sorted(copied)})
