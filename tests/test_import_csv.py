"""Reading CSV files as German broker systems export them, and what their columns mean
(services/imports_csv.py, services/imports_fields.py): no database involved."""

from __future__ import annotations

import pytest

from tenant_app.services import imports_csv, imports_fields
from tenant_app.services.imports_csv import CsvProblem

ROW = "Müller;Straße 1;1.234,56;03.04.1985"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROW.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROW.encode("utf-8"), "utf-8"),
        (ROW.encode("cp1252"), "cp1252"),
        (ROW.encode("utf-16"), "utf-16"),  # Excel's "Unicode text", with its BOM
        (b"Name;Ort\r\nMeier;Bonn\r\n", "utf-8"),  # plain ASCII is UTF-8
    ],
)
def test_the_encoding_is_detected_and_read_right(data: bytes, encoding: str) -> None:
    assert imports_csv.detect_encoding(data) == encoding
    assert imports_csv.decode(data, encoding).endswith(ROW[-10:]) or b"Meier" in data
    assert "Ã" not in imports_csv.decode(data, encoding)  # never UTF-8 read as Latin-1


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_refused_not_guessed() -> None:
    undefined = b"Name;Ort\r\nM\x81ller;K\x9dln\r\n"  # 0x81, 0x9D: no character in either
    with pytest.raises(CsvProblem, match="weder UTF-8 noch Windows-1252"):
        imports_csv.detect_encoding(undefined)
    with pytest.raises(CsvProblem, match=r"nicht als UTF-8 lesen \(Zeile 2\)"):
        imports_csv.decode("Name\r\nMüller".encode("cp1252"), "utf-8")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Name;Beitrag;Ort\nMüller;1.234,56;Köln\nMeier;89,90;Bonn\n", ";"),
        ("Name,Beitrag,Ort\nMüller,1234.56,Köln\n", ","),
        ("Name\tBeitrag\tOrt\nMüller\t1.234,56\tKöln\n", "\t"),
        ('"Name";"Notiz"\n"Müller";"a, b, c"\n', ";"),  # commas inside quoted cells
    ],
)
def test_the_separator_is_the_one_that_makes_a_table(text: str, delimiter: str) -> None:
    assert imports_csv.detect_delimiter(text) == delimiter


def test_one_column_is_no_table() -> None:
    with pytest.raises(CsvProblem, match="nur eine Spalte"):
        imports_csv.detect_delimiter("Name\nMüller\nMeier\n")


def test_the_sheet_numbers_rows_as_a_spreadsheet_and_names_every_column() -> None:
    text = 'Name;;Name;Notiz\r\nMüller;x;y;"zwei\r\nZeilen"\r\n;;;\r\nMeier;a;b;c\r\n'
    sheet = imports_csv.parse(text, ";")
    assert sheet.headers == ("Name", "Spalte 2", "Name (2)", "Notiz")
    assert [number for number, _cells in sheet.rows] == [2, 4]  # the empty row 3 is skipped
    assert sheet.rows[0][1][3] == "zwei\r\nZeilen"


def test_a_header_without_rows_is_refused() -> None:
    with pytest.raises(CsvProblem, match="keine Datenzeilen"):
        imports_csv.parse("Name;Ort\r\n", ";")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%...", "sondern eine PDF-Datei"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "sondern eine PNG-Datei"),
        (b"Name;Ort\x00\x00\x01", "keine CSV-Textdatei"),
        (b"  \r\n", "Die Datei ist leer"),
    ],
)
def test_what_is_no_text_is_refused_by_its_content(data: bytes, message: str) -> None:
    with pytest.raises(CsvProblem, match=message):
        imports_csv.refuse_binary(data)


def test_a_report_never_holds_a_formula_and_an_escaped_formula_is_imported_as_written() -> None:
    report = imports_csv.write_csv(
        [["Telefon", "Notiz", "Betrag"], ["+49 30 1234", "=HYPERLINK(1)", "-12,50"], ["", "x"]]
    )
    assert report.startswith(b"\xef\xbb\xbf")
    assert report.decode("utf-8-sig").splitlines()[1] == "'+49 30 1234;'=HYPERLINK(1);'-12,50"
    sheet = imports_csv.parse(report.decode("utf-8-sig"), ";")
    # numbers read back as they were; the formula keeps its apostrophe: never stored live
    assert sheet.rows[0][1] == ("+49 30 1234", "'=HYPERLINK(1)", "-12,50")
    written = 'Name;Notiz;Notiz 2\r\nA;"\'=HYPERLINK(""http://x"";""y"")";\'@SUM(1)\r\n'
    assert imports_csv.parse(written, ";").rows[0][1][1:] == (
        '\'=HYPERLINK("http://x";"y")',
        "'@SUM(1)",
    )


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"])
def test_every_start_of_a_formula_is_escaped_tab_and_cr_too(cell: str) -> None:
    assert imports_csv.safe_cell(cell) == "'" + cell
    assert imports_csv.safe_cell("Köln") == "Köln" and imports_csv.safe_cell("") == ""


def wide(columns: int, rows: int = 3) -> bytes:
    header = ";".join(f"Spalte {n}" for n in range(1, columns + 1))
    row = ";".join("x" for _n in range(columns))
    return ("\r\n".join([header, *[row] * rows]) + "\r\n").encode()


def test_more_columns_than_can_be_imported_are_refused_with_a_message() -> None:
    assert imports_csv.scan(wide(200), "utf-8", ";")[1] == 3
    with pytest.raises(CsvProblem, match="Die Datei hat 201 Spalten; höchstens 200"):
        imports_csv.scan(wide(201), "utf-8", ";")
    shifted = wide(3) + (";" * 250 + "x\r\n").encode()  # a row far wider than its header
    with pytest.raises(CsvProblem, match="Zeile 5 hat mehr als 200 Zellen"):
        imports_csv.scan(shifted, "utf-8", ";")


def test_the_preview_reads_only_the_first_rows_of_the_file() -> None:
    good = "\r\n".join(["Name;Ort", *[f"Name{n};Bonn" for n in range(50_000)]]) + "\r\n"
    broken = good.encode() + b"M\xfcller;K\xf6ln\r\n" + (";" * 300 + "\r\n").encode()
    sheet = imports_csv.head(broken, "utf-8", ";", 10)  # neither decoded nor parsed at the end
    assert sheet.headers == ("Name", "Ort") and len(sheet.rows) == 10
    assert sheet.rows[-1] == (11, ("Name9", "Bonn"))
    with pytest.raises(CsvProblem, match=r"nicht als UTF-8 lesen \(Zeile 50002\)"):
        imports_csv.scan(broken, "utf-8", ";")  # the whole file is read on upload


def test_the_report_checks_each_row_not_a_whole_text_at_once() -> None:
    data = "Name;Ort\r\nMüller;Köln\r\n".encode("cp1252") + b"Meier;K\x81ln\r\n"
    with pytest.raises(CsvProblem, match=r"nicht als Windows-1252 lesen \(Zeile 3\)"):
        imports_csv.scan(data, "cp1252", ";")
    headers, rows = imports_csv.data_rows(data[:-14], "cp1252", ";")
    assert (headers, list(rows)) == (("Name", "Ort"), [(2, ("Müller", "Köln"))])


def test_columns_are_suggested_by_german_and_english_names() -> None:
    headers = (
        "Kunden-Nr.",
        "Vorname",
        "Name",
        "Geb.-Datum",
        "E-Mail-Adresse",
        "Strasse",
        "Hausnr.",
    )
    assert imports_fields.suggest_mapping("contacts", headers) == {
        "customer_number": "Kunden-Nr.",
        "first_name": "Vorname",
        "last_name": "Name",
        "birthdate": "Geb.-Datum",
        "email": "E-Mail-Adresse",
        "street": "Strasse",
        "house_number": "Hausnr.",
    }
    english = ("External ID", "First name", "Last name", "Date of birth", "Email", "ZIP", "City")
    assert set(imports_fields.suggest_mapping("contacts", english)) == {
        "external_id",
        "first_name",
        "last_name",
        "birthdate",
        "email",
        "postal_code",
        "city",
    }
    contract = ("Kunden-ID", "Sparte", "Gesellschaft", "VSNR", "Prämie", "Zahlungsweise")
    assert imports_fields.suggest_mapping("contracts", contract) == {
        "contact_external_id": "Kunden-ID",
        "product_line": "Sparte",
        "insurer": "Gesellschaft",
        "insurance_number": "VSNR",
        "gross_premium": "Prämie",
        "payment_frequency": "Zahlungsweise",
    }


def test_a_rows_cells_become_the_forms_values() -> None:
    headers = ("Status", "Zahlweise", "Zahlart", "Ordner", "Beitrag", "Notiz")
    mapping = {
        "status": "Status",
        "payment_frequency": "Zahlweise",
        "payment_method": "Zahlart",
        "folder": "Ordner",
        "gross_premium": "Beitrag",
        "note": "Notiz",
    }
    cells = ("Gekündigt", "vierteljährlich", "SEPA-Lastschrift", "Finanzen", " 1.234,56 ", "")
    assert imports_fields.row_values(mapping, headers, cells) == {
        "status": "cancelled",
        "payment_frequency": "quarterly",
        "payment_method": "direct_debit",
        "folder": "finance",
        "gross_premium": "1.234,56",
    }  # a blank cell is no value: it changes nothing
    unknown = imports_fields.row_values({"status": "Status"}, ("Status",), ("irgendwas",))
    assert unknown == {"status": "irgendwas"}  # the form's rule refuses it with its message
    contact = imports_fields.row_values(
        {"street": "Straße", "house_number": "Nr", "country": "Land"},
        ("Straße", "Nr", "Land"),
        ("Hauptstraße", "5a", "Österreich"),
    )
    assert contact == {"street": "Hauptstraße 5a", "country": "AT"}
