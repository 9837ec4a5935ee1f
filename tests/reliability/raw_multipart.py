"""Multipart requests written byte by byte, and the ways the fuzz tests break them.

A `Draft` is a valid claim submission kept in pieces; each mutation changes one piece and says
whether it must make the request fail (a broken body can never be a valid claim) or may leave
it valid (an odd but legal request, which may file a case that must still obey the form rules).
"""

import errno
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.reliability.fuzz_inputs import odd_text

CRLF = b"\r\n"


@dataclass
class Part:
    """One part of a multipart body: its header lines and its content.

    `is_file` says what the part was made as; mutations may rewrite its headers past
    recognition, so they find the file parts by this, never by parsing the headers again.
    """

    headers: list[bytes]
    content: bytes
    is_file: bool = False


def field_part(name: str, value: str) -> Part:
    return Part([f'Content-Disposition: form-data; name="{name}"'.encode()], value.encode())


def file_part(name: str, filename: str, content: bytes) -> Part:
    disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
    return Part([disposition.encode(), b"Content-Type: image/jpeg"], content, is_file=True)


def encode_parts(parts: list[Part], boundary: bytes, closing: bool = True) -> bytes:
    pieces = [
        b"--"
        + boundary
        + CRLF
        + b"".join(line + CRLF for line in part.headers)
        + CRLF
        + part.content
        + CRLF
        for part in parts
    ]
    if closing:
        pieces.append(b"--" + boundary + b"--" + CRLF)
    return b"".join(pieces)


@dataclass
class Draft:
    """A claim submission in pieces, and the names of the mutations that must break it."""

    host: str
    cookie: str
    parts: list[Part]
    boundary: bytes = b"claim-form-boundary-2c9d41f7"
    body_boundary: bytes | None = None  # what the body really uses, when not the declared one
    closing: bool = True
    content_type: str | None = "multipart/form-data; boundary={boundary}"  # None: no header
    content_length: Callable[[bytes], str] = lambda body: str(len(body))  # from the body sent
    second_content_length: int | None = None  # a second header, off by this many bytes
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    body_edits: list[Callable[[bytes], bytes]] = field(default_factory=list)
    breaking: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)

    def closing_start(self, body: bytes) -> int:
        """Where the final boundary starts in `body` (its end when there is none)."""
        found = body.rfind(b"--" + (self.body_boundary or self.boundary) + b"--")
        return len(body) if found < 0 else found

    def encode(self) -> bytes:
        """The request as it goes on the wire."""
        body = encode_parts(self.parts, self.body_boundary or self.boundary, self.closing)
        for edit in self.body_edits:
            body = edit(body)
        headers = [("Host", self.host), ("Cookie", f"session={self.cookie}")]
        if self.content_type is not None:
            headers.append(
                ("Content-Type", self.content_type.format(boundary=self.boundary.decode()))
            )
        headers += [("Content-Length", self.content_length(body)), ("Connection", "close")]
        if self.second_content_length is not None:
            headers.append(("Content-Length", str(len(body) + self.second_content_length)))
        headers += self.extra_headers
        head = "POST /claims/new HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers)
        return head.encode("latin-1") + CRLF + body


@dataclass(frozen=True)
class Mutation:
    """One way of breaking a request: a named change, and whether it must make it fail.

    Mutations in one `group` change the same thing, so a request gets at most one of them.
    """

    name: str
    breaks: bool
    group: str
    change: Callable[..., None]
    args: tuple

    def apply(self, draft: Draft) -> None:
        self.change(draft, *self.args)
        draft.applied.append(self.name)
        if self.breaks:
            draft.breaking.append(self.name)


def mutation(name: str, breaks: bool, group: str | None = None):
    """Turn `change(draft, *args)` into a factory of `Mutation`s with this name."""

    def decorate(change: Callable[..., None]) -> Callable[..., Mutation]:
        def factory(*args) -> Mutation:
            return Mutation(name, breaks, group or name, change, args)

        factory.__name__ = factory.__qualname__ = change.__name__
        return factory

    return decorate


@mutation("broken boundary", breaks=True)
def broken_boundary(draft: Draft, other: bytes) -> None:
    draft.body_boundary = other


@mutation("no final boundary", breaks=True)
def no_final_boundary(draft: Draft) -> None:
    draft.closing = False


@mutation("truncated body", breaks=True)
def truncated_body(draft: Draft, fraction: float) -> None:
    draft.body_edits.append(lambda body: body[: int(draft.closing_start(body) * fraction)])


@mutation("content-length smaller than the body", breaks=True, group="content-length")
def shorter_content_length(draft: Draft, fraction: float) -> None:
    draft.content_length = lambda body: str(int(draft.closing_start(body) * fraction))


@mutation("content-length larger than the body", breaks=True, group="content-length")
def longer_content_length(draft: Draft, extra: int) -> None:
    draft.content_length = lambda body: str(len(body) + extra)


@mutation("invalid content-length", breaks=True, group="content-length")
def invalid_content_length(draft: Draft, value: str) -> None:
    draft.content_length = lambda body: value


@mutation("two different content-lengths", breaks=True, group="content-length")
def two_content_lengths(draft: Draft, difference: int) -> None:
    draft.second_content_length = difference


@mutation("chunked transfer-encoding on a plain body", breaks=True)
def chunked_plain_body(draft: Draft) -> None:
    draft.extra_headers.append(("Transfer-Encoding", "chunked"))


@mutation("wrong content-type", breaks=True)
def wrong_content_type(draft: Draft, content_type: str | None) -> None:
    draft.content_type = content_type


@mutation("part without content-disposition", breaks=True)
def part_without_disposition(draft: Draft, index: int) -> None:
    part = draft.parts[index % len(draft.parts)]
    part.headers = [b"Content-Type: text/plain"]


@mutation("thousands of parts", breaks=True)
def thousands_of_parts(draft: Draft, count: int) -> None:
    draft.parts[:0] = [
        Part([b'Content-Disposition: form-data; name="x"'], b"") for _ in range(count)
    ]


def nest_the_photo(draft: Draft, keep_filename: bool) -> None:
    """Wrap each file part's content in a multipart/mixed body of its own, whatever other
    mutations have done to its headers."""
    inner = b"nested-boundary-5e1a"
    for photo in [part for part in draft.parts if part.is_file]:
        disposition = (
            photo.headers[0]
            if keep_filename and photo.headers
            else b'Content-Disposition: form-data; name="photos"'
        )
        photo.content = encode_parts([Part(list(photo.headers), photo.content)], inner)
        photo.headers = [disposition, b"Content-Type: multipart/mixed; boundary=" + inner]


@mutation("nested multipart sent as the photo file", breaks=True)
def nested_multipart_file(draft: Draft) -> None:
    nest_the_photo(draft, keep_filename=True)  # a file that is no image: always refused


@mutation("nested multipart sent as a text field", breaks=False)
def nested_multipart_field(draft: Draft) -> None:
    nest_the_photo(draft, keep_filename=False)  # no photo then: valid for some claim types


@mutation("header injection in a part", breaks=False)
def header_injection(draft: Draft, index: int, template: bytes, junk: str) -> None:
    part = draft.parts[index % len(draft.parts)]
    named = re.search(rb'name="([^"]*)"', part.headers[0])
    name = named.group(1) if named else b"x"
    part.headers[0] = template.replace(b"{name}", name).replace(b"{junk}", junk.encode())


@mutation("huge part header", breaks=False)
def huge_part_header(draft: Draft, index: int, size: int) -> None:
    draft.parts[index % len(draft.parts)].headers.append(b"X-Padding: " + b"a" * size)


@mutation("some extra parts", breaks=False)
def extra_parts(draft: Draft, count: int) -> None:
    draft.parts[:0] = [field_part(f"extra{number}", "x") for number in range(count)]


@mutation("duplicate field", breaks=False)
def duplicate_field(draft: Draft, name: str, value: str) -> None:
    draft.parts.append(field_part(name, value))


@mutation("garbage bytes in the body", breaks=False)
def garbage_in_body(draft: Draft, fraction: float, garbage: bytes) -> None:
    def edit(body: bytes) -> bytes:
        at = int(len(body) * fraction)
        return body[:at] + garbage + body[at:]

    draft.body_edits.append(edit)


@mutation("bare LF line breaks", breaks=False)
def bare_line_feeds(draft: Draft) -> None:
    draft.body_edits.append(lambda body: body.replace(CRLF, b"\n"))


@mutation("preamble and epilogue", breaks=False)
def preamble_and_epilogue(draft: Draft, preamble: bytes, epilogue: bytes) -> None:
    draft.body_edits.append(lambda body: preamble + CRLF + body + epilogue)


INJECTIONS = [
    b'Content-Disposition: form-data; name="{name}"\r\nContent-Disposition: form-data; name="x"',
    b'Content-Disposition: form-data; name="{name}\r\nX-Injected: {junk}"',
    b'Content-Disposition: form-data; name="{name}"; name="order_ref"',
    b'Content-Disposition: form-data; name="{name}"; filename="{junk}.jpg"',
    b"Content-Disposition: form-data; name*=UTF-8''{name}",
    b'Content-Disposition: form-data; name="{name}"\r\nContent-Type: text/html; charset=utf-7',
    b'Content-Disposition: form-data; name="{name}{junk}"',
    b"Content-Disposition: attachment; name=\"{name}\"; filename*=UTF-8''{junk}",
    b'Content-Disposition: form-data; name="{name}"\r\n\tcontinued: {junk}',
]
WRONG_CONTENT_TYPES = [
    None,
    "text/plain",
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/mixed; boundary={boundary}",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=somethingelse",
]
FIELD_NAMES = ["order_ref", "email", "claim_type", "description", "csrf_token", "website"]
fractions = st.floats(0, 1, exclude_max=True)

mutations = st.one_of(
    st.builds(broken_boundary, st.binary(min_size=1, max_size=70).map(lambda b: b.hex().encode())),
    st.builds(no_final_boundary),
    st.builds(truncated_body, fractions),
    st.builds(shorter_content_length, fractions),
    st.builds(
        longer_content_length,
        st.one_of(st.integers(1, 100_000), st.sampled_from([10**9, 2**31, 2**63 - 1, 10**30])),
    ),
    st.builds(invalid_content_length, st.sampled_from(["-1", "abc", "1e3", "", "0x10", " 1 2"])),
    st.builds(two_content_lengths, st.integers(1, 1000)),
    st.builds(chunked_plain_body),
    st.builds(wrong_content_type, st.sampled_from(WRONG_CONTENT_TYPES)),
    st.builds(part_without_disposition, st.integers(0, 20)),
    st.builds(thousands_of_parts, st.integers(1001, 4000)),
    st.builds(nested_multipart_file),
    st.builds(nested_multipart_field),
    st.builds(header_injection, st.integers(0, 20), st.sampled_from(INJECTIONS), odd_text),
    st.builds(huge_part_header, st.integers(0, 20), st.integers(1000, 300_000)),
    st.builds(extra_parts, st.integers(1, 300)),
    st.builds(
        duplicate_field,
        st.sampled_from(FIELD_NAMES),
        st.one_of(odd_text, st.just("refund-question")),
    ),
    st.builds(garbage_in_body, fractions, st.binary(min_size=1, max_size=200)),
    st.builds(bare_line_feeds),
    st.builds(preamble_and_epilogue, st.binary(max_size=100), st.binary(max_size=100)),
)


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or resets it)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def exchange(host: str, port: int, data: bytes, timeout: float = 20) -> int | None:
    """Send `data`, close our sending side, and read the answer's status code.

    None when the server closed the connection without answering. A server that neither
    answers nor closes fails the test (socket timeout).
    """
    with socket.create_connection((host, port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the answer may be waiting
        except OSError as error:
            if error.errno != errno.ENOTCONN:  # already closed by the server: read its answer
                raise
        received = read_all(connection)
    if not received:
        return None
    match = re.match(rb"HTTP/1\.[01] (\d{3})", received)
    assert match, f"not an HTTP response: {received[:200]!r}"
    return int(match.group(1))


def get_form(host: str, port: int) -> tuple[str, str]:
    """GET the claim form; returns (session cookie, CSRF token)."""
    request = f"GET /claims/new HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, port), timeout=20) as connection:
        connection.sendall(request.encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    cookie = re.search(rb"(?im)^Set-Cookie: session=([^;\r\n]*)", received).group(1)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]*)"', received).group(1)
    return cookie.decode(), token.decode()
