"""Packages are found from the layout, so a new feature folder is in the wheel by itself
(tests/unit/test_packaging.py holds it); the stylesheets at the top of the repository ship
inside the package as tui/styles. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["tui", "tui.*"]), "tui.styles"],
    package_dir={"tui.styles": "styles"},
)
