"""Layout and language as the HTML delivers them (issue 24): one language control that also
serves the login and link pages, the firm's name not repeated under its logo, the logo in the
phone header, the design tokens loaded before the components."""

from __future__ import annotations

import re

from tests.web.test_branding import image_bytes, upload

LANGUAGE_FORM = re.compile(r'<form class="language-form"[^>]*data-language-form', re.S)


def _brand_in_card(html: str) -> str:
    match = re.search(r'<a class="auth-brand".*?</a>', html, re.S)
    assert match, html[:2000]
    return match.group(0)


async def test_a_visitor_switches_the_login_page_to_english_and_back(client) -> None:
    login = await client.get("/login?next=/staff", headers={"Accept-Language": "de-DE"})
    assert '<html lang="de">' in login.text and LANGUAGE_FORM.search(login.text)
    assert 'name="next" value="/login?next=/staff"' in login.text  # back where it was sent from
    english = await client.submit(
        "/account/language", {"language": "en", "next": "/login?next=/staff"}, form_page="/login"
    )
    assert english.status_code == 303 and english.headers["location"] == "/login?next=/staff"
    page = await client.get("/login", headers={"Accept-Language": "de-DE"})
    assert '<html lang="en">' in page.text and "Log in" in page.text  # the choice beats the browser
    german = await client.submit(
        "/account/language", {"language": "de", "next": "//evil.example"}, form_page="/login"
    )
    assert german.headers["location"] == "/login"  # never off this host
    assert '<html lang="de">' in (await client.get("/login")).text


async def test_a_visitor_cannot_choose_an_unknown_language(client) -> None:
    bad = await client.submit("/account/language", {"language": "xx"}, form_page="/login")
    assert bad.status_code == 400
    client.cookies.set("lang", "xx")  # a planted cookie is only a wish: the browser's wins
    assert (
        '<html lang="en">' in (await client.get("/login", headers={"Accept-Language": "en"})).text
    )


async def test_link_pages_carry_the_language_control(client) -> None:
    for path in ("/passwort-vergessen", "/passwort/no-such-link"):
        page = await client.get(path)
        assert LANGUAGE_FORM.search(page.text), path
    english = await client.submit(
        "/account/language",
        {"language": "en", "next": "/passwort/no-such-link"},
        form_page="/login",
    )
    assert english.headers["location"] == "/passwort/no-such-link"
    assert '<html lang="en">' in (await client.get("/passwort/no-such-link")).text


async def test_a_users_choice_is_saved_and_outlives_the_session(client) -> None:
    await client.log_in("alpha-admin")
    staff = await client.get("/staff")
    assert staff.text.count("data-language-form") == 1 and "/static/js/language.js" in staff.text
    done = await client.submit(
        "/account/language", {"language": "en", "next": "/staff"}, form_page="/staff"
    )
    assert done.headers["location"] == "/staff"
    assert "Welcome, Clara" in (await client.get("/staff", headers={"Accept-Language": "de"})).text
    await client.submit("/logout", form_page="/staff")
    assert (
        '<html lang="en">' in (await client.get("/login", headers={"Accept-Language": "de"})).text
    )


async def test_the_login_card_names_the_firm_once_and_phones_show_the_logo(client, tenant) -> None:
    name = tenant.tenant.name
    assert name in _brand_in_card((await client.get("/login")).text)  # no logo: the name
    await client.log_in("alpha-admin")
    staff = await client.get("/staff")
    topbar = staff.text.split('<div class="topbar">', 1)[1].split('<div class="app-shell">', 1)[0]
    assert "brand-logo" not in topbar and name in topbar
    await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png")
    await client.submit("/logout", form_page="/staff")
    card = _brand_in_card((await client.get("/login")).text)
    assert 'class="brand-logo"' in card and "brand-name" not in card  # the logo shows the name
    assert f'aria-label="{name}' in card  # still named for screen readers
    await client.log_in("alpha-admin")
    staff = await client.get("/staff")
    topbar = staff.text.split('<div class="topbar">', 1)[1].split('<div class="app-shell">', 1)[0]
    assert '<img class="brand-logo" src="/branding/logo?v=' in topbar


async def test_tokens_load_before_the_components_and_name_the_contrast_colours(client) -> None:
    page = (await client.get("/login")).text
    assert (
        page.index("/brand.css")
        < page.index("/static/css/tokens.css")
        < page.index("/static/css/app.css")
    )
    tokens = (await client.get("/static/css/tokens.css")).text
    for token in ("--space-4", "--text-md", "--radius-md", "--shadow-md", "--focus-width"):
        assert f"{token}:" in tokens
    brand = (await client.get(re.search(r'href="(/brand\.css[^"]*)"', page).group(1))).text
    assert "--brand-on-primary:" in brand and "--brand-on-secondary:" in brand
