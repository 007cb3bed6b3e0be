import subprocess
import sys

import workbench.stats as stats


def test_public_names_are_exported():
    for name in stats.__all__:
        assert callable(getattr(stats, name))


def test_import_does_not_load_scipy_or_statsmodels():
    code = (
        "import sys, workbench.stats; "
        "heavy = [m for m in ('scipy', 'statsmodels', 'pandas', 'litellm') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
