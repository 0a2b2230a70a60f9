"""The two views of the course in JupyterLab, defined once for ``course.py lab`` and Binder's postBuild.

- ``student`` (the default): nbgrader's Validate button and assignment list, without the instructor's
  formgrader, course list and create-assignment toolbar;
- ``instructor``: everything nbgrader installs.

Both switch off JupyterLab's question about Jupyter news and its update check. A view is a Jupyter
configuration folder: ``labconfig/page_config.json`` (the JupyterLab plugins switched off),
``labconfig/default_setting_overrides.json`` (settings) and ``jupyter_server_config.json`` (the server
extensions switched off). ``course.py lab`` writes one and puts it first on ``JUPYTER_CONFIG_PATH``, ahead
of the environment's own configuration; Binder's postBuild merges the student view into the user's
configuration folder (``python -m autograder.lab_views student "$(jupyter --config-dir)"``).

Standard library only: ``course.py`` imports this before the course's environment exists.
"""

import json
import sys
from pathlib import Path

VIEWS = ("student", "instructor")
# What only an instructor needs (the plugin ids of nbgrader's JupyterLab extension, and its server extensions).
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                          "@jupyter/nbgrader:create-assignment")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
# Every view: no "Would you like to get notified about official Jupyter news?" and no update check.
SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def config_files(view):
    """{path relative to a Jupyter configuration folder: its JSON content} for view."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; the views are {', '.join(VIEWS)}")
    student = view == "student"
    return {
        "labconfig/page_config.json": {"disabledExtensions": {p: True for p in INSTRUCTOR_LAB_PLUGINS if student}},
        "labconfig/default_setting_overrides.json": SETTINGS,
        "jupyter_server_config.json": {"ServerApp": {"jpserver_extensions": {
            e: False for e in INSTRUCTOR_SERVER_EXTENSIONS if student}}},
    }


def merged(base, update):
    """base with update merged in, dictionaries key by key (update wins); neither is changed."""
    result = dict(base)
    for key, value in update.items():
        result[key] = merged(result[key], value) if isinstance(value, dict) and isinstance(
            result.get(key), dict) else value
    return result


def write_view(view, folder):
    """Write view's files into the configuration folder, merged into whatever JSON is there; return folder."""
    folder = Path(folder)
    for relative, content in config_files(view).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and path.stat().st_size else {}
        path.write_text(json.dumps(merged(existing, content), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in VIEWS:
        print(f"usage: python -m autograder.lab_views {{{','.join(VIEWS)}}} FOLDER", file=sys.stderr)
        return 2
    folder = write_view(argv[0], argv[1])
    print(f"JupyterLab's {argv[0]} view written into {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
