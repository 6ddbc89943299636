"""Documents are about matters: the petitions tests' cast of role holders is reused."""

from xinfang.petitions.tests.conftest import people, scratch_media

__all__ = ["people", "scratch_media"]
