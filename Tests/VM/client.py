#!/usr/bin/env python3
"""The VM test's browser: HTTPS to the guest's forwarded port 443 on 127.0.0.1, trusting only the
certificate the installer generated (fetched from the guest), with cookies and CSRF tokens as a
browser with JavaScript off would send them. Redirects are not followed: a 303 after a save is the
appliance's acknowledgement that the record is stored.

  client.py PORT CAFILE login USER PASSWORD            exit 0 if the sign-in is accepted, 1 if refused
  client.py PORT CAFILE add-residents USER PASSWORD PREFIX COUNT ACKFILE
        adds COUNT residents named "PREFIX N" (COUNT 0: until the connection fails); each name is
        appended to ACKFILE (flushed to disk) only after the appliance acknowledged it
"""
import http.client
import os
import ssl
import sys
import urllib.parse
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields of the form whose action is `action`, with their default values."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.select = action, False, None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action") == self.action and not self.fields:
            self.inside = True
        elif not self.inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("radio", "checkbox", "submit"):
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


class Browser:
    def __init__(self, port, cafile):
        self.port = port
        self.context = ssl.create_default_context(cafile=cafile)
        self.context.check_hostname = False  # the certificate names carehome.local, we dial 127.0.0.1
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=20)
        headers = {"Host": "carehome.local"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode(errors="replace")
            for cookie in reply.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]
            return reply.status, reply.headers, text
        finally:
            connection.close()

    def submit(self, path, answers):
        status, _, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        form = FormReader(path)
        form.feed(page)
        if "_csrf" not in form.fields:
            raise RuntimeError(f"no form posting to {path}")
        return self.request("POST", path, {**form.fields, **answers})

    def login(self, user, password):
        status, headers, _ = self.submit("/login", {"username": user, "password": password})
        return status == 303 and not (headers.get("Location") or "").startswith("/login")


def main(port, cafile, command, *args):
    browser = Browser(int(port), cafile)
    if command == "login":
        sys.exit(0 if browser.login(*args) else 1)
    if command == "add-residents":
        user, password, prefix, count, ackfile = args
        if not browser.login(user, password):
            sys.exit(f"sign-in as {user} refused")
        count = int(count)
        n = 0
        with open(ackfile, "a") as acks:
            while count == 0 or n < count:
                n += 1
                name = f"{prefix} {n}"
                try:
                    status, headers, page = browser.submit("/residents/new", {
                        "full_name": name, "date_of_birth": "1940-11-23", "room": str(100 + n % 50),
                        "admission_type": "permanent", "allergies": "None known", "plan_exists": "no"})
                except (OSError, http.client.HTTPException) as error:
                    if count == 0:
                        print(f"stopped after {n - 1} acknowledged saves: {error}")
                        return
                    raise
                if status != 303 or not (headers.get("Location") or "").startswith("/residents/"):
                    sys.exit(f"saving {name}: {status} {headers.get('Location')}\n{page[:2000]}")
                acks.write(name + "\n")
                acks.flush()
                os.fsync(acks.fileno())
        print(f"{count} residents added")
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
