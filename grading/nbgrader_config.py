"""nbgrader configuration of the cadrekit course (the 轮训 exams).

Defaults are local: the exchange under the checkout's .cadrekit/ folder and a sqlite gradebook
here. A hub deployment overrides them with the environment variables below.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
here = Path(__file__).resolve().parent

c.CourseDirectory.course_id = os.environ.get("CADREKIT_COURSE", "lunxun")
c.CourseDirectory.root = str(here)
c.CourseDirectory.db_url = os.environ.get("CADREKIT_GRADEBOOK", f"sqlite:///{here / 'gradebook.db'}")
c.Exchange.root = os.environ.get("CADREKIT_EXCHANGE", str(here.parent / ".cadrekit" / "exchange"))

# cadrekit: quiz scoring outside the trainee's kernel, Chinese answer stubs, no released answers.
from cadrekit.grading.config import configure  # noqa: E402

configure(c)
