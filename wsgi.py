"""The app as servers and the flask command load it. A configuration mistake stops the start with one
plain line on stderr and exit status 2, not a traceback."""

import sys

from clinic_app import create_app
from clinic_app.coverage import RuleFileError
from clinic_app.settings import SettingsError

try:
    app = create_app()
except (SettingsError, RuleFileError) as error:
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(2)
