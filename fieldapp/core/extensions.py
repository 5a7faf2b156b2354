"""Flask extensions made once and initialised by create_app(), so any area can use them
without importing the app itself."""

from flask_compress import Compress
from flask_htmx import HTMX
from flask_wtf import CSRFProtect

HTMX_VERSION = "2.0.11"
csrf = CSRFProtect()
compress = Compress()
htmx = HTMX()
