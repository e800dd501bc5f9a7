"""Result storage: S3/R2 (django-storages against moto's server over real HTTP) and local signed URLs."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.test import Client

from effects.storage import SignedFileSystemStorage, media_signature
from tests.support.images import image_bytes


def test_s3_upload_is_readable_through_its_presigned_url(s3_storage):
    data = image_bytes("PNG")

    name = s3_storage.save("jobs/abc/result.png", ContentFile(data))
    response = requests.get(s3_storage.url(name), timeout=5)

    assert response.status_code == 200
    assert response.content == data


def test_s3_presigned_url_is_signed_and_expires(s3_storage):
    name = s3_storage.save("jobs/abc/result.png", ContentFile(b"x"))

    query = parse_qs(urlsplit(s3_storage.url(name)).query)

    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert len(query["X-Amz-Signature"][0]) == 64


def test_s3_objects_are_private_to_anonymous_requests(s3_storage, s3_server):
    name = s3_storage.save("jobs/abc/private.png", ContentFile(b"secret"))

    response = requests.get(f"{s3_server}/photomania-test/{name}", timeout=5)

    assert response.status_code == 403


def test_s3_saving_the_same_key_twice_overwrites(s3_storage):
    first = s3_storage.save("jobs/dup/result.jpg", ContentFile(b"one"))
    second = s3_storage.save("jobs/dup/result.jpg", ContentFile(b"two"))

    assert first == second == "jobs/dup/result.jpg"


@pytest.fixture
def local_storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    from django.core.files.storage import default_storage

    return default_storage


def test_local_signed_url_serves_the_file(local_storage):
    name = local_storage.save("jobs/x/result.png", ContentFile(image_bytes("PNG")))

    response = Client().get(local_storage.url(name))

    assert response.status_code == 200


def test_local_forged_signature_is_refused(local_storage):
    name = local_storage.save("jobs/x/result.png", ContentFile(b"x"))
    url = local_storage.url(name)

    response = Client().get(url[:-4] + "AAAA")

    assert response.status_code == 404


def test_local_expired_url_is_refused(local_storage):
    name = local_storage.save("jobs/x/result.png", ContentFile(b"x"))
    expired = int(time.time()) - 1

    response = Client().get(f"/media/{name}?exp={expired}&sig={media_signature(name, expired)}")

    assert response.status_code == 404


def test_local_url_without_signature_is_refused(local_storage):
    name = local_storage.save("jobs/x/result.png", ContentFile(b"x"))

    assert Client().get(f"/media/{name}").status_code == 404


def test_local_storage_overwrites_the_fixed_result_key(tmp_path):
    storage = SignedFileSystemStorage(location=str(tmp_path))

    assert storage.save("r.jpg", ContentFile(b"1")) == storage.save("r.jpg", ContentFile(b"2")) == "r.jpg"


def test_s3_presigned_url_is_reused_while_fresh_and_still_opens_the_file(s3_storage):
    name = s3_storage.save("jobs/reuse/result.png", ContentFile(b"reused"))

    first, second = s3_storage.url(name), s3_storage.url(name)

    assert first == second
    assert requests.get(second, timeout=5).content == b"reused"


def test_s3_url_asked_with_its_own_expiry_is_signed_afresh(s3_storage):
    name = s3_storage.save("jobs/reuse/result.png", ContentFile(b"x"))
    s3_storage.url(name)

    query = parse_qs(urlsplit(s3_storage.url(name, expire=30)).query)

    assert query["X-Amz-Expires"] == ["30"]


def test_local_signed_url_reused_within_its_minute_is_what_signing_gives(tmp_path):
    storage = SignedFileSystemStorage(location=str(tmp_path))
    url = storage.url("jobs/x/result.png")
    expires = int(parse_qs(urlsplit(url).query)["exp"][0])

    again = storage.url("jobs/x/result.png")

    assert again == url
    assert parse_qs(urlsplit(again).query)["sig"] == [media_signature("jobs/x/result.png", expires)]


def test_local_delete_of_a_folders_last_file_removes_the_folder(tmp_path):
    storage = SignedFileSystemStorage(location=str(tmp_path))
    storage.save("jobs/abc/result.png", ContentFile(b"x"))

    storage.delete("jobs/abc/result.png")

    assert not (tmp_path / "jobs" / "abc").exists()


def test_local_delete_keeps_a_folder_that_still_holds_a_file(tmp_path):
    storage = SignedFileSystemStorage(location=str(tmp_path))
    storage.save("jobs/abc/result.png", ContentFile(b"x"))
    storage.save("jobs/abc/source", ContentFile(b"y"))

    storage.delete("jobs/abc/result.png")

    assert (tmp_path / "jobs" / "abc" / "source").read_bytes() == b"y"


def test_local_delete_of_a_file_at_the_top_keeps_the_storage_folder(tmp_path):
    root = tmp_path / "media"
    storage = SignedFileSystemStorage(location=str(root))
    storage.save("lonely.png", ContentFile(b"x"))

    storage.delete("lonely.png")

    assert root.is_dir()
