"""A path convertor for row ids that never overflows the database's integer keys."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class RowIdConvertor(Convertor[int]):
    regex = "[1-9][0-9]{0,8}"  # below 2**31, so a database integer key never overflows

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowIdConvertor())
