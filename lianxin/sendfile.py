"""Hand a stored file to nginx after the view has checked who asks (`X-Accel-Redirect`).

A photo or an export is sent only by a view that decided the viewer may have it. By
default Django streams the file itself (`FileResponse`), which ties a gunicorn worker to
a slow phone for as long as the download lasts. With `MEDIA_ACCEL_REDIRECT` set (e.g.
`/protected/`), the view answers with headers only and nginx sends the file from its
`internal` location of that name (deploy/nginx.conf), which no client can ask for
directly. The address is the file's path under DATA_DIR: `/protected/media/cases/...`,
`/protected/exports/...`. A file outside DATA_DIR, or in a storage with no local path,
is streamed as before.

nginx keeps Content-Type, Content-Disposition and Cache-Control from our answer but not
the other headers: its internal location adds `nosniff` and the photos' sandboxing
policy itself.
"""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


def accel_path(stored: FieldFile) -> str | None:
    """The internal address nginx serves `stored` at, or None to stream it from here."""
    prefix = settings.MEDIA_ACCEL_REDIRECT
    if not prefix:
        return None
    try:
        path = Path(stored.path).resolve()
    except NotImplementedError:  # a storage without local files
        return None
    root = Path(settings.DATA_DIR).resolve()
    if not path.is_relative_to(root):
        return None
    return prefix.rstrip("/") + "/" + quote(path.relative_to(root).as_posix())


def file_response(
    stored: FieldFile, *, content_type: str, as_attachment: bool, filename: str
) -> HttpResponseBase:
    internal = accel_path(stored)
    if internal is None:
        return FileResponse(
            stored.open("rb"),
            content_type=content_type,
            as_attachment=as_attachment,
            filename=filename,
        )
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = internal
    disposition = content_disposition_header(as_attachment, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    return response
