"""nbgrader for instructors on the hub: the course folder is ~/<course id> (see deploy/README.md)."""

import os

c = get_config()  # noqa: F821  (provided by traitlets)

c.CourseDirectory.root = os.path.expanduser("~/" + os.environ.get("CADREKIT_COURSE", "lunxun"))
