"""An insured object's own fields as the staff form sends them; its attributes depend on the
product line (schemas/product_lines.py) and are checked by schemas/risk_values.py."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most
from tenant_app.schemas.cases import ProductLine

LABEL_MAX = 200  # characters, as the column


class ObjectInput(FormInput):
    """The product line (fixed once the object exists) and a name; a blank name is made of
    the attributes ("E-Bike · Riese & Müller Charger4")."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)

    product_line: ProductLine = ""
    label: Annotated[Text, at_most(LABEL_MAX)] = ""
