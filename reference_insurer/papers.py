"""Radschutz's papers as PDFs (fpdf2): the filled application for the customer to sign, the
policy (Versicherungsschein) and the terms (Versicherungsbedingungen). German throughout, in
DejaVu Sans (umlauts, the euro sign), the fonts the portal ships in its package data and
subset into each file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from fpdf import FPDF

from reference_insurer.state import Policy, StoredApplication
from reference_insurer.tariff import INSTANT_COVER_PREMIUM, RATES

FONT_DIR = files("tenant_app") / "data" / "fonts"
FAMILY = "DejaVu"
INSURER = "Radschutz Versicherung AG"
INSURER_ADDRESS = "Speichenweg 12 · 50667 Köln · service@radschutz.example · 0221 555 010"
COUNTRIES = {"DE": "Deutschland", "AT": "Österreich"}
Facts = tuple[tuple[str, str], ...]


def money(value: Decimal | str) -> str:
    """German notation: 1.234,50 €."""
    text = f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} €"


def german_date(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d.%m.%Y")


def yes_no(value: Any) -> str:
    return "Ja" if value is True else "Nein"


class Paper:
    """One A4 paper: the insurer's letterhead, a title, sections of facts and paragraphs."""

    def __init__(self, title: str, reference: str) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(True, margin=20)
        self.pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.pdf.set_title(f"{title} {reference}")
        self.pdf.set_author(INSURER)
        self.pdf.add_page()
        self._write("B", 13, 6, INSURER)
        self._write("", 8, 4, INSURER_ADDRESS)
        self.pdf.set_draw_color(0, 110, 90)
        self.pdf.set_line_width(0.8)
        y = self.pdf.get_y() + 2
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(8)
        self._write("B", 16, 8, title)
        self._write("", 10, 5, reference)

    def _write(self, style: str, size: float, height: float, text: str) -> None:
        self.pdf.set_font(FAMILY, style, size)
        self.pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def section(self, heading: str, facts: Facts = (), paragraphs: tuple[str, ...] = ()) -> None:
        self.pdf.ln(3)
        self._write("B", 12, 7, heading)
        for label, value in facts:
            self.pdf.set_font(FAMILY, "B", 10)
            self.pdf.cell(60, 5, label)
            self.pdf.set_font(FAMILY, "", 10)
            self.pdf.multi_cell(0, 5, value or "–", new_x="LMARGIN", new_y="NEXT")
        for paragraph in paragraphs:
            self._write("", 10, 5, paragraph)
            self.pdf.ln(1.5)

    def signature_line(self, left: str, right: str) -> None:
        self.pdf.ln(16)
        y = self.pdf.get_y()
        width = (self.pdf.w - self.pdf.l_margin - self.pdf.r_margin - 10) / 2
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.set_line_width(0.3)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.l_margin + width, y)
        self.pdf.line(self.pdf.l_margin + width + 10, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(1)
        self.pdf.set_font(FAMILY, "", 8)
        self.pdf.cell(width + 10, 4, left)
        self.pdf.cell(width, 4, right, new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _customer(application: StoredApplication) -> tuple[str, str]:
    """The policyholder's name and address line."""
    person = application.body["customer"]
    name = f"{person['first_name']} {person['last_name']}"
    country = COUNTRIES.get(person["country"], person["country"])
    return name, f"{person['street']}, {person['postal_code']} {person['city']}, {country}"


def _object_facts(application: StoredApplication) -> Facts:
    thing = application.body["object"]
    return (
        ("Art", RATES[thing["object_type"]].label),
        ("Hersteller", thing["make"]),
        ("Modell", thing["model"]),
        ("Rahmennummer", thing["frame_number"]),
        ("Kaufpreis", money(str(thing["price"]))),
        ("Kaufdatum", german_date(thing["purchase_date"])),
    )


def _tariff_facts(application: StoredApplication) -> Facts:
    tariff, body = application.tariff, application.body
    instant = f"Ja (+{money(INSTANT_COVER_PREMIUM)} monatlich)" if tariff.instant_cover else "Nein"
    return (
        ("Tarif", f"{tariff.name} ({tariff.code})"),
        ("Monatsbeitrag", money(tariff.premium)),
        ("Zahlweise", "monatlich"),
        ("Sofortschutz", instant),
        ("Zugelassenes Schloss", yes_no(body.get("approved_lock"))),
        ("Geleast", yes_no(body.get("leased"))),
        ("Leistungen", ", ".join(tariff.cover)),
    )


DECLARATIONS = (
    "Ich beantrage den Versicherungsschutz zu den obigen Angaben. Meine Angaben sind "
    "wahrheitsgemäß und vollständig; mir ist bekannt, dass falsche Angaben den "
    "Versicherungsschutz gefährden können.",
    "Das versicherte Objekt wird außerhalb abgeschlossener Räume mit einem zugelassenen "
    "Schloss an einem festen Gegenstand angeschlossen.",
    "Die Versicherungsbedingungen (AVB Radschutz 2025) und die Informationen nach der "
    "VVG-Informationspflichtenverordnung habe ich vor Antragstellung erhalten.",
)


def application_pdf(application: StoredApplication) -> bytes:
    """The filled application for the customer's signature."""
    name, address = _customer(application)
    paper = Paper("Antrag auf Fahrradversicherung", f"Antragsnummer {application.id}")
    born = german_date(application.body["customer"]["birth_date"])
    paper.section(
        "Versicherungsnehmer",
        (
            ("Name", name),
            ("Geburtsdatum", born),
            ("Anschrift", address),
            ("E-Mail", application.body["customer"]["email"]),
        ),
    )
    paper.section("Versichertes Objekt", _object_facts(application))
    paper.section("Tarif und Beitrag", _tariff_facts(application))
    paper.section("Erklärungen", paragraphs=DECLARATIONS)
    paper.section(
        "Vermittlung",
        (
            ("Vermittlernummer", application.agent),
            ("Antrag erstellt am", german_date(application.created_at.date())),
        ),
    )
    paper.signature_line("Ort, Datum", "Unterschrift Versicherungsnehmer")
    return paper.bytes()


def _signed(policy: Policy) -> str:
    how = "hochgeladene Unterschrift" if policy.signature == "upload" else "elektronisch bestätigt"
    return f"{_timestamp(policy.signed_at)} ({how})"


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y, %H:%M Uhr")


def policy_pdf(policy: Policy, application: StoredApplication) -> bytes:
    """The Versicherungsschein: who is insured, for what, from when, at what premium."""
    name, address = _customer(application)
    paper = Paper("Versicherungsschein", f"Versicherungsscheinnummer {policy.number}")
    paper.section("Versicherungsnehmer", (("Name", name), ("Anschrift", address)))
    paper.section("Versichertes Objekt", _object_facts(application))
    paper.section(
        "Vertrag",
        (
            ("Versicherungsbeginn", german_date(policy.start_date)),
            ("Vertragsdauer", "1 Jahr, verlängert sich um je 1 Jahr"),
            *_tariff_facts(application)[:4],
            ("Antrag", f"{application.id}, unterschrieben am {_signed(policy)}"),
            ("Vermittlernummer", application.agent),
        ),
    )
    paper.section(
        "Hinweise",
        paragraphs=(
            "Es gelten die Versicherungsbedingungen AVB Radschutz 2025. Bitte prüfen Sie die "
            "Angaben; weichen sie von Ihrem Antrag ab, widersprechen Sie bitte innerhalb eines "
            "Monats nach Zugang dieses Versicherungsscheins.",
            "Der erste Beitrag wird zum Versicherungsbeginn fällig, die folgenden jeweils zum "
            "Monatsersten.",
        ),
    )
    return paper.bytes()


TERMS = (
    (
        "§ 1 Versicherte Sachen",
        "Versichert ist das im Versicherungsschein bezeichnete Fahrrad, E-Bike oder der Akku "
        "einschließlich fest verbundener Teile. Zubehör ist mitversichert, wenn es mit dem "
        "Fahrrad fest verbunden ist und seine Funktion unterstützt.",
    ),
    (
        "§ 2 Versicherte Gefahren",
        "Wir leisten Entschädigung bei Diebstahl, Einbruchdiebstahl und Raub, bei Beschädigung "
        "oder Zerstörung durch Vandalismus, Unfall, Sturz oder Bedienungsfehler sowie – bei "
        "E-Bikes und Akkus – bei Schäden an Akku und Elektronik durch Kurzschluss, "
        "Überspannung oder Feuchtigkeit.",
    ),
    (
        "§ 3 Obliegenheiten",
        "Das Fahrrad ist, wenn es nicht benutzt wird, mit einem zugelassenen Schloss an einem "
        "festen Gegenstand anzuschließen. Ein Diebstahl ist unverzüglich der Polizei anzuzeigen "
        "und uns mit der Anzeigebestätigung und dem Kaufbeleg zu melden.",
    ),
    (
        "§ 4 Beginn des Versicherungsschutzes, Sofortschutz",
        "Der Versicherungsschutz beginnt zu dem im Versicherungsschein genannten Zeitpunkt. Für "
        "Diebstahl gilt eine Wartezeit von einem Monat, es sei denn, Sofortschutz ist vereinbart. "
        "Sofortschutz kann nur für Objekte vereinbart werden, die vor höchstens 30 Tagen gekauft "
        "wurden.",
    ),
    (
        "§ 5 Entschädigung",
        "Bei Totalschaden oder Diebstahl ersetzen wir in den ersten zwei Jahren nach Kauf den "
        "Neuwert, danach den Zeitwert; im Tarif Premium den Neuwert für fünf Jahre. Bei "
        "Teilschäden ersetzen wir die notwendigen Reparaturkosten.",
    ),
    (
        "§ 6 Beitrag",
        "Der Beitrag ist monatlich im Voraus zu zahlen. Wird der erste Beitrag nicht rechtzeitig "
        "gezahlt, können wir vom Vertrag zurücktreten, solange die Zahlung nicht bewirkt ist.",
    ),
    (
        "§ 7 Dauer und Kündigung",
        "Der Vertrag wird für ein Jahr geschlossen und verlängert sich stillschweigend um jeweils "
        "ein weiteres Jahr, wenn er nicht einen Monat vor Ablauf in Textform gekündigt wird. "
        "Nach einem Schadenfall können beide Seiten kündigen.",
    ),
    (
        "§ 8 Ausschlüsse",
        "Nicht versichert sind Schäden durch Verschleiß (außer bei Akkus ab dem dritten Jahr), "
        "Schäden bei Rennveranstaltungen sowie Schäden, die der Versicherungsnehmer vorsätzlich "
        "herbeigeführt hat.",
    ),
)


def terms_pdf(policy: Policy) -> bytes:
    """The terms (AVB Radschutz 2025) as issued with the policy."""
    paper = Paper("Versicherungsbedingungen", f"AVB Radschutz 2025 zu {policy.number}")
    for heading, text in TERMS:
        paper.section(heading, paragraphs=(text,))
    return paper.bytes()


def policy_document(policy: Policy, application: StoredApplication, doc_id: str) -> bytes | None:
    if doc_id == "policy":
        return policy_pdf(policy, application)
    if doc_id == "terms":
        return terms_pdf(policy)
    return None
