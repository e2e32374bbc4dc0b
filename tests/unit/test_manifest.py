"""The Teams app package: a v1.30 manifest, the two icons Teams asks for, and the CLI."""

from __future__ import annotations

import copy
import fnmatch
import json
import struct
import tomllib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from support.cli import run_cli
from support.privacy import may_answer_in_shared

from bot.domain.commands import Command, parse_command
from manifest.package import (
    ACCENT_COLOUR,
    COLOUR_ICON,
    ICONS,
    OUTLINE_ICON,
    Developer,
    PackageError,
    build_manifest,
    icon_bytes,
    write_package,
)

PROJECT_ROOT = Path(__file__).parents[2]
SCHEMA = PROJECT_ROOT / "tests" / "fixtures" / "schemas" / "MicrosoftTeams.schema-1.30.json"
APP_ID = "0f6e2a8c-3b1d-4e57-9a64-2c8d1b7e5f30"
BOT_ID = "7d3c9b21-58a4-4f0e-b6d2-91e4a0c7f8b5"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    # Not check_schema(): one pattern in the official file, for Office add-in function names,
    # uses \p{L}, which Python's re cannot compile; nothing in this manifest reaches it.
    return Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def errors(validator: Draft4Validator, manifest: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(manifest)]


# The manifest

def test_the_built_manifest_is_valid_against_the_v1_30_schema(validator):
    manifest = build_manifest(APP_ID, BOT_ID)

    assert errors(validator, manifest) == []
    # Checked here because the schema pins it with `const`, which draft 4 does not know.
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID


def test_a_manifest_with_real_developer_details_and_a_later_version_is_valid(validator):
    developer = Developer("Some Constabulary", "https://www.some.police.uk/iip",
                          "https://www.some.police.uk/privacy", "https://www.some.police.uk/terms")
    manifest = build_manifest(APP_ID, BOT_ID, "2.10.3", developer)

    assert errors(validator, manifest) == []
    assert manifest["version"] == "2.10.3"
    assert manifest["developer"]["name"] == "Some Constabulary"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("id",), "not-a-guid"),
        (("developer", "privacyUrl"), "ftp://iip.example.org/privacy"),
        (("description", "short"), "x" * 81),
        (("accentColor",), "police blue"),
        (("bots", 0, "scopes", 0), "everywhere"),
        (("bots", 0, "unexpected"), True),
    ],
)
def test_control_the_validator_rejects_a_broken_manifest(validator, path, value):
    manifest = copy.deepcopy(build_manifest(APP_ID, BOT_ID))
    target = manifest
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    assert errors(validator, manifest) != []


def test_control_the_validator_rejects_a_manifest_missing_a_required_part(validator):
    manifest = build_manifest(APP_ID, BOT_ID)
    del manifest["icons"]

    assert any("icons" in error for error in errors(validator, manifest))


def test_the_bot_is_personal_and_team_scoped_without_files_or_sso():
    manifest = build_manifest(APP_ID, BOT_ID)
    (bot,) = manifest["bots"]

    assert bot["scopes"] == ["personal", "team"]
    assert bot["supportsFiles"] is False
    assert "webApplicationInfo" not in manifest
    assert manifest["name"] == {"short": "IIP", "full": "Improvement and Innovation Portal"}
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_every_listed_command_is_one_the_bot_understands():
    command_list, _team = build_manifest(APP_ID, BOT_ID)["bots"][0]["commandLists"]
    titles = [command["title"] for command in command_list["commands"]]

    assert command_list["scopes"] == ["personal"]
    assert titles, "the personal command list is empty"
    assert len(set(titles)) == len(titles)
    for command in command_list["commands"]:
        assert parse_command(command["title"]) is not Command.UNKNOWN, command["title"]
        assert command["description"].strip()
    # The menu offers every command a person would look for; greetings are not menu items,
    # nor `find`, a staff command typed with its text (the menu shows everyone the same list),
    # nor `deferred`, found on the staff queue and in help (the menu's places are spoken for),
    # nor `digest`, the PMO's alone, nor the campaign commands and `report`, found on the
    # PMO's hub (`pmo`), in staff help and on the calls themselves, nor the register of known
    # initiatives, the PMO's alone and on their hub.
    offered = {parse_command(title) for title in titles}
    assert offered == set(Command) - {Command.WELCOME, Command.UNKNOWN, Command.FIND,
                                      Command.DEFERRED, Command.DIGEST, Command.CAMPAIGNS,
                                      Command.NEW_CAMPAIGN, Command.STOP_CAMPAIGNS,
                                      Command.START_CAMPAIGNS, Command.REPORT,
                                      Command.INITIATIVES, Command.NEW_INITIATIVE}


@pytest.mark.parametrize(
    ("app_id", "bot_id", "version", "developer", "complaint"),
    [
        ("", BOT_ID, "1.0.0", Developer(), "Teams app id is missing"),
        ("{" + APP_ID + "}", BOT_ID, "1.0.0", Developer(), "Teams app id"),
        (APP_ID, APP_ID[:-1], "1.0.0", Developer(), "bot id"),
        (APP_ID, BOT_ID, "1.0", Developer(), "version"),
        (APP_ID, BOT_ID, "1.0.0-beta", Developer(), "version"),
        (APP_ID, BOT_ID, "1.0.0", Developer(name="x" * 33), "developer name"),
        (APP_ID, BOT_ID, "1.0.0", Developer(privacy_url="http://iip.example.org/privacy"),
         "privacy URL"),
    ],
)
def test_unusable_values_are_refused(app_id, bot_id, version, developer, complaint):
    with pytest.raises(PackageError, match=complaint):
        build_manifest(app_id, bot_id, version, developer)


# The package

def test_the_package_holds_exactly_the_manifest_and_the_two_icons_at_its_root(tmp_path):
    manifest = build_manifest(APP_ID, BOT_ID)
    path = write_package(tmp_path / "iip.zip", manifest)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json")) == manifest
        for name in manifest["icons"].values():
            assert archive.read(name) == icon_bytes(name)


def test_the_same_inputs_give_the_same_package_bytes(tmp_path):
    manifest = build_manifest(APP_ID, BOT_ID)

    first = write_package(tmp_path / "a.zip", manifest).read_bytes()
    second = write_package(tmp_path / "b.zip", manifest).read_bytes()

    assert first == second


def test_the_icons_are_declared_as_package_data():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["manifest"]

    for name in ICONS:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


# The icons, read with the standard library only

def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == PNG_SIGNATURE
    chunks, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def png_header(data: bytes) -> tuple[int, int, int, int, int]:
    """Width, height, bit depth, colour type and interlace method, from IHDR."""
    width, height, depth, colour_type, _, _, interlace = struct.unpack(
        ">IIBBBBB", png_chunks(data)[0][1]
    )
    return width, height, depth, colour_type, interlace


def png_pixels(data: bytes) -> list[list[tuple[int, ...]]]:
    """Rows of pixels of an 8-bit, non-interlaced RGB or RGBA PNG."""
    width, height, depth, colour_type, interlace = png_header(data)
    assert depth == 8 and interlace == 0 and colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in png_chunks(data) if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                nearest = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + nearest) & 0xFF
            else:
                assert kind == 0, f"unknown PNG filter {kind}"
        rows.append([tuple(line[i : i + channels]) for i in range(0, stride, channels)])
        previous = line
    return rows


def test_the_icons_have_the_sizes_teams_requires():
    assert png_header(icon_bytes(COLOUR_ICON))[:2] == (192, 192)
    assert png_header(icon_bytes(OUTLINE_ICON))[:2] == (32, 32)


def test_the_outline_icon_is_white_on_transparent():
    width, height, _, colour_type, _ = png_header(icon_bytes(OUTLINE_ICON))
    pixels = [pixel for row in png_pixels(icon_bytes(OUTLINE_ICON)) for pixel in row]

    assert colour_type == 6, "the outline icon needs an alpha channel"
    assert len(pixels) == width * height
    not_white = [pixel for pixel in pixels if pixel[3] > 0 and pixel[:3] != (255, 255, 255)]
    assert not_white == []
    alphas = [pixel[3] for pixel in pixels]
    assert alphas.count(0) > len(pixels) // 4, "the background must be transparent"
    assert sum(alpha >= 128 for alpha in alphas) > len(pixels) // 4, "the mark is too faint"
    rows = png_pixels(icon_bytes(OUTLINE_ICON))
    assert [rows[0][0][3], rows[0][-1][3], rows[-1][0][3], rows[-1][-1][3]] == [0, 0, 0, 0]


def test_the_colour_icon_is_a_white_mark_on_the_accent_colour():
    rows = png_pixels(icon_bytes(COLOUR_ICON))
    accent = tuple(int(ACCENT_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    corners = [rows[0][0], rows[0][-1], rows[-1][0], rows[-1][-1]]

    assert all(corner[:3] == accent for corner in corners)
    assert all(len(pixel) == 3 or pixel[3] == 255 for row in rows for pixel in row)
    assert (255, 255, 255) in {pixel[:3] for row in rows for pixel in row}


# The command line

def test_the_cli_writes_a_package_with_the_bot_id_from_the_settings(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)
    out = tmp_path / "build" / "iip.zip"

    code = run_cli(["manifest", "build", str(out), "--app-id", APP_ID, "--version", "1.2.3"])

    assert code == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["id"], manifest["bots"][0]["botId"], manifest["version"]) == (
        APP_ID, BOT_ID, "1.2.3"
    )
    assert "placeholder developer details" in capsys.readouterr().err


def test_the_cli_takes_the_bot_id_and_developer_details_from_arguments(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    out = tmp_path / "iip.zip"

    code = run_cli(["manifest", "build", str(out), "--app-id", APP_ID, "--bot-id", BOT_ID,
                    "--developer-name", "Some Constabulary",
                    "--website-url", "https://www.some.police.uk/iip",
                    "--privacy-url", "https://www.some.police.uk/privacy",
                    "--terms-url", "https://www.some.police.uk/terms"])

    assert code == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["developer"]["name"] == "Some Constabulary"
    assert "placeholder" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--app-id", "not-a-guid", "--bot-id", BOT_ID], "Teams app id 'not-a-guid' is not a GUID"),
        (["--app-id", APP_ID, "--bot-id", "12345"], "bot id '12345' is not a GUID"),
        (["--app-id", APP_ID], "bot id is missing"),
        (["--app-id", APP_ID, "--bot-id", BOT_ID, "--version", "v1"], "version"),
    ],
)
def test_the_cli_refuses_bad_values_and_writes_nothing(tmp_path, monkeypatch, capsys, arguments,
                                                       complaint):
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    out = tmp_path / "iip.zip"

    code = run_cli(["manifest", "build", str(out), *arguments])

    assert code == 2
    assert complaint in capsys.readouterr().err
    assert not out.exists()


def test_a_channel_menu_offers_only_what_is_answered_where_everyone_reads():
    _personal, team = build_manifest(APP_ID, BOT_ID)["bots"][0]["commandLists"]
    offered = [parse_command(command["title"]) for command in team["commands"]]

    assert team["scopes"] == ["team"]
    assert offered == [Command.HELP, Command.FEEDBACK]
    assert all(may_answer_in_shared(command) for command in offered)
