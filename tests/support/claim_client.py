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
        fields = {}
        for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name and value and name.group(1) in ("csrf_token", "submission_id"):
                fields.setdefault(name.group(1), value.group(1))
        return fields

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

    def look_up(self, reference: str, email: str = "ana@example.com") -> None:
        """Open the case with its reference and email (this client's cookies remember it)."""
        fields = {**self.form_fields("/claims/status"), "reference": reference, "email": email}
        status, page = self.post("/claims/status", fields)
        if status != 200 or f"Case {reference}" not in page:
            raise AssertionError(f"look-up failed ({status}): {page[:300]}")

    def add_to_case(self, message: str, photos=(), timeout: float = 60) -> str:
        """Send the add-to-case form of the open case; returns the page the customer sees."""
        fields = {**self.form_fields("/claims/status/case"), "message": message}
        status, page = self.post("/claims/status/add", fields, photos, timeout=timeout)
        if status != 200 or "we added this to your case" not in page:
            raise AssertionError(f"not added ({status}): {page[:500]}")
        return page


class AgentClient(ClaimClient):
    """An agent's browser: signs in and takes cases over real HTTP."""

    def sign_in(self, name: str, password: str) -> None:
        fields = {**self.form_fields("/agent/login"), "name": name, "password": password}
        status, page = self.post("/agent/login", fields)
        if status != 200 or "Take next case" not in page:
            raise AssertionError(f"sign-in failed ({status}): {page[:300]}")

    def take_next(self) -> str | None:
        """Press "Take next case" (taking another alongside those held); the reference of the
        case received, or None."""
        body, content_type = multipart({**self.form_fields("/agent/"), "another": "y"}, [])
        request = urllib.request.Request(
            self.base + "/agent/take-next", data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=60) as response:
            match = re.search(r"/agent/cases/(HC-[0-9A-Z-]+)$", response.url)
        return match.group(1) if match else None
