"""How accepted photos are stored: generated names in shard directories, removal, hashes, and
orphan files.

Every image is generated here with Pillow / pillow-heif; no binary fixtures.
"""

import hashlib
import os
import time

import pytest

from claims import photos
from claims.photos import orphan_files, remove_photo
from tests.support.images import encode, picture
from tests.support.stored_photos import STORED_NAME, files_under, store


@pytest.mark.parametrize(
    "filename, shown",
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\x\\y.jpg", "y.jpg"),
        ("my\tholiday \n  photo.jpg", "my holiday photo.jpg"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("", "photo"),
        (None, "photo"),
        ("../..", "photo"),
    ],
)
def test_original_name_is_cleaned_for_display(tmp_path, filename, shown):
    assert store(tmp_path, encode(picture(), "JPEG"), filename).original_name == shown


def test_long_original_name_with_nul_is_cut_keeping_the_extension(tmp_path):
    name = store(tmp_path, encode(picture(), "JPEG"), "a\x00b" + "c" * 500 + ".jpeg").original_name

    assert len(name) == 100 and name.startswith("abccc") and name.endswith("….jpeg")
    assert "\x00" not in name


def test_each_photo_gets_a_new_name_in_its_shard_directory(tmp_path):
    data = encode(picture(), "JPEG")

    first, second = store(tmp_path, data), store(tmp_path, data)

    assert first.stored_name != second.stored_name and first.sha256 == second.sha256
    for result in (first, second):
        assert STORED_NAME.fullmatch(result.stored_name)
        assert (tmp_path / result.stored_name).is_file()
    assert sorted(files_under(tmp_path)) == sorted(
        tmp_path / result.stored_name for result in (first, second)
    )


def test_remove_photo_deletes_the_file_and_tolerates_a_missing_one(tmp_path):
    result = store(tmp_path, encode(picture(), "JPEG"))

    remove_photo(tmp_path, result.stored_name)
    remove_photo(tmp_path, result.stored_name)

    assert files_under(tmp_path) == []


def test_file_sha256_checks_the_stored_file_as_it_is_now(tmp_path):
    result = store(tmp_path, encode(picture(), "JPEG"))

    assert photos.file_sha256(tmp_path, result.stored_name) == result.sha256
    (tmp_path / result.stored_name).write_bytes(b"changed")
    assert (
        photos.file_sha256(tmp_path, result.stored_name) == hashlib.sha256(b"changed").hexdigest()
    )
    remove_photo(tmp_path, result.stored_name)
    assert photos.file_sha256(tmp_path, result.stored_name) is None


@pytest.mark.parametrize(
    "name", ["../outside.jpg", "ab/../../x.jpg", "/etc/passwd", "ab/notes.txt"]
)
def test_stored_files_are_only_reached_by_names_this_module_generates(tmp_path, name):
    with pytest.raises(ValueError):
        remove_photo(tmp_path, name)
    with pytest.raises(ValueError):
        photos.file_sha256(tmp_path, name)


def test_orphan_files_lists_old_unknown_files_and_old_temp_files_only(tmp_path):
    data = encode(picture(), "JPEG")
    known = store(tmp_path, data).stored_name
    orphan = store(tmp_path, data).stored_name
    fresh = store(tmp_path, data).stored_name
    old_temp = "ab/.tmp-0123456789abcdef"
    fresh_temp = "ab/.tmp-fedcba9876543210"
    (tmp_path / "ab").mkdir(exist_ok=True)
    for name in (old_temp, fresh_temp, "ab/unrelated.txt"):
        (tmp_path / name).write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    for name in (known, orphan, old_temp, "ab/unrelated.txt"):
        os.utime(tmp_path / name, (an_hour_ago, an_hour_ago))

    found = orphan_files(tmp_path, {known}, older_than_seconds=600)

    assert found == sorted([orphan, old_temp])
    assert fresh not in found and fresh_temp not in found
    for name in found:
        remove_photo(tmp_path, name)
    assert orphan_files(tmp_path, {known}, older_than_seconds=0) == sorted([fresh, fresh_temp])


def test_orphan_files_of_a_missing_directory_is_empty(tmp_path):
    assert orphan_files(tmp_path / "none", set(), older_than_seconds=0) == []
