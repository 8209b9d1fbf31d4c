"""cadrekit: Jupyter training and assessment kit for grassroots Party affairs cadres."""

__version__ = "0.1.0"
