"""An install that grades: the course built as a wheel, installed into a fresh environment, and one
submission autograded from there (the grader imports the installed package, not the repository)."""

import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.notebook_files import ASSIGNMENT, ROOT
from tests.confinement_support import require_confinement
from tests.course_dir import CourseDir, first_traceback
from tests.submissions import solved_release

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]
PROJECT_FILES = ["pyproject.toml", "README.md", "LICENSE", "requirements.txt", "requirements-grading.txt", "autograder"]


def build_wheel(folder):
    """The wheel of the project, built from a copy of its files (the build leaves nothing in the repository)."""
    project = folder / "project"
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            project.mkdir(exist_ok=True)
            shutil.copy(source, project / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(folder / "dist"), str(project)], check=True, capture_output=True)
    (wheel,) = (folder / "dist").glob("*.whl")
    return wheel


def fresh_environment(folder, wheel):
    """A new environment holding the wheel; the course's other packages come from this environment's
    site-packages (a .pth file), so that nothing is downloaded."""
    env = folder / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    packages = next((env / "lib").glob("python*/site-packages"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(packages),
                    str(wheel)], check=True, capture_output=True)
    (packages / "zz-course-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return env


def install_and_grade(folder):
    """Build the wheel, install it into a fresh environment and autograde one solved notebook 01 with
    that environment's nbgrader; returns (names in the wheel, where the environment imports autograder
    from, the environment, the autograde CompletedProcess, the course)."""
    wheel = build_wheel(folder)
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)], capture_output=True, text=True).stdout
    env = fresh_environment(folder, wheel)
    course = CourseDir(folder / "course")
    shutil.rmtree(course.root / "autograder")  # the grader must use the installed package
    course.submit("alice", {"01_jacobian.ipynb": solved_release("01_jacobian.ipynb")})
    tools = str(Path(sys.executable).parent)
    where = subprocess.run([str(env / "bin" / "python"), "-c", "import autograder; print(autograder.__file__)"],
                           cwd=course.root, capture_output=True, text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as logs:
        result = subprocess.run([str(env / "bin" / "python"), "-m", "nbgrader", "autograde", ASSIGNMENT, "--create"],
                                cwd=course.root, capture_output=True, text=True, timeout=600,
                                env={"PATH": f"{env / 'bin'}:{tools}:/usr/bin:/bin", "HOME": logs})
    return names, where, env, result, course


def start_install(tmp_path_factory, background):
    """Queue install_and_grade in the background (it runs commands only); skips without namespaces."""
    require_confinement("namespaces")
    return background.nbgrader_steps(install_and_grade, tmp_path_factory.mktemp("install"))


@pytest.fixture(scope="module")
def installed(_install_started):
    return _install_started.result()


def test_a_wheel_install_grades_a_submission(installed):
    names, where, env, result, course = installed
    for needed in ("autograder/sandbox/runner.py", "autograder/sandbox/launch.py", "autograder/reference/jacobian.py"):
        assert needed in names, f"the wheel lacks {needed}"
    assert where.startswith(str(env)), f"the fresh environment imports autograder from {where}"
    assert result.returncode == 0, first_traceback(result.stderr)
    assert "Student code runs confined: namespaces" in result.stderr
    scores = course.cell_scores("alice", "01_jacobian")
    assert scores and all(got == top for got, top in scores.values()), scores
