"""nbgrader on Zero to JupyterHub with ngshare as the exchange (in the single-user image as
/etc/jupyter/nbgrader_config.py). ngshare keeps submissions per user behind the hub's login,
which a shared volume cannot do when every pod runs as the same uid. The ngshare server itself
runs from requirements.txt beside this file. tests/test_kubernetes.py runs release, fetch, submit
and collect with this file against a real ngshare behind a real JupyterHub.
"""

import os

from ngshare_exchange import configureExchange

c = get_config()  # noqa: F821  (provided by traitlets)

configureExchange(c, os.environ.get("CADREKIT_NGSHARE_URL", "http://ngshare.cadrekit.svc.cluster.local:8080/services/ngshare"))
c.CourseDirectory.course_id = os.environ.get("CADREKIT_COURSE", "lunxun")
