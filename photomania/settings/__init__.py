"""PhotoMania settings, one module per topic.

Every setting that varies between machines comes from the environment (django-environ) and is
documented in README.md ("Configuration"). With nothing set the process runs in production
mode (``DEBUG=False``) and refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``;
``make run`` sets ``DEBUG=True``, and development mode (or the test suite,
``PHOTOMANIA_TESTING=1``) gets embedded defaults: SQLite, local media under ``var/``, a
filesystem Celery broker. Importing these modules reads the environment and nothing else:
they create no files or folders.

Each module assigns its own settings once and imports what it builds on from the modules
before it; they are listed here in reading order.
"""

# isort: skip_file
from photomania.settings.core import *  # noqa: F403
from photomania.settings.database import *  # noqa: F403
from photomania.settings.pipeline import *  # noqa: F403
from photomania.settings.privacy import *  # noqa: F403
from photomania.settings.cache_celery import *  # noqa: F403
from photomania.settings.storage import *  # noqa: F403
from photomania.settings.auth import *  # noqa: F403
from photomania.settings.api import *  # noqa: F403
from photomania.settings.billing import *  # noqa: F403
from photomania.settings.security import *  # noqa: F403
from photomania.settings.logs import *  # noqa: F403
from photomania.settings.observability import *  # noqa: F403
