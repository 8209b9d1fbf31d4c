"""System-wide nbgrader configuration of a cadrekit hub: install as /etc/jupyter/nbgrader_config.py.

Every trainee's and instructor's server reads it. The hub passes the same course id and exchange
to every server through CADREKIT_COURSE and CADREKIT_EXCHANGE (deploy/jupyterhub_config.py);
the defaults below are the ones deploy/setup-hub.sh creates.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets)

c.CourseDirectory.course_id = os.environ.get("CADREKIT_COURSE", "lunxun")
c.Exchange.root = os.environ.get("CADREKIT_EXCHANGE", "/srv/nbgrader/exchange")  # mode 1777, made by setup-hub.sh

# Who takes the course: members of the JupyterHub groups nbgrader-<course> (trainees) and
# formgrade-<course> (instructors); the hub fills them from Unix groups at start.
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"

# Submissions readable by their trainee and the instructor's group only (nbgrader's own are 0644).
c.ExchangeFactory.submit = "cadrekit.grading.exchange.PrivateExchangeSubmit"

# Released feedback readable by its trainee alone (POSIX ACL; nbgrader's own is 0644 under a hashed name).
c.ExchangeFactory.release_feedback = "cadrekit.grading.exchange.PrivateExchangeReleaseFeedback"
