"""The citizen's phone page (扫码查询办理进度): the slip's QR opens one ticket's live page.

A device like the kiosk or the pad, on the devices' floor: it imports only :mod:`hallq` and
talks to the hub over MQTT as a device with role ``web`` (``hallq web --device W1``), whose
ACL lets it send ``progress.get`` and ``progress.rate`` and read nothing retained. It holds no
database. ``app.py`` is the Starlette application (pages, the JSON poll, the rating form),
``gateway.py`` its way to the hub, ``guard.py`` the per-client limits and the form's CSRF
token, ``pages.py`` the reply turned into what the templates show, ``texts.py`` the words in
Chinese and English. docs/web.md says how to run and expose it.
"""
