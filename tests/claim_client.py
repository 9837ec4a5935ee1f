"""A customer's browser in a few lines: posts the claim form over real HTTP, keeps cookies."""

import http.cookiejar
import re
import secrets
import urllib.error
import urllib.request


def multipart(fields: dict[str, str], files: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """Encode a form the way a browser does; returns (body, content type)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for content, filename in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="photos"; filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class ClaimClient:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, timeout: float = 60) -> str:
        with self.opener.open(self.base + path, timeout=timeout) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict, photos=(), timeout: float = 60) -> tuple[int, str]:
        """POST a form (multipart, as the claim form does); returns (status, page)."""
        body, content_type = multipart(fields, list(photos))
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:  # follows a 303
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form_fields(self, path: str) -> dict[str, str]:
        """The hidden fields of the form on a page (CSRF token, submission id)."""
        page = self.get(path)
        return dict(
            re.findall(r'name="(csrf_token|submission_id)" type="hidden" value="([^"]*)"', page)
        )

    def submit(self, photos: list[tuple[bytes, str]], timeout: float = 60, **fields) -> str:
        """File a claim through the form; returns the case reference the confirmation shows."""
        form = {
            **self.form_fields("/claims/new"),
            "order_ref": "100234",
            "email": "ana@example.com",
            "claim_type": "defective-item",
            "description": "The kettle arrived with a cracked lid.",
            **fields,
        }
        status, page = self.post("/claims/new", form, photos, timeout=timeout)
        match = re.search(r'id="case-reference">([^<]+)<', page)
        if status != 200 or not match:
            raise AssertionError(f"no reference ({status}): {page[:500]}")
        return match.group(1)
