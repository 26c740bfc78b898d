"""Test suite (a package so that ``from tests.conftest import AS_OF`` works)."""
