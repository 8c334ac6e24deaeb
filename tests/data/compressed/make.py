"""Make the compressed fixtures of tests/test_compressed.c and
tests/python/test_compressed.py from tests/data/acled_sample.csv:

    python3 tests/data/compressed/make.py

The files are committed; run this again only to change them."""
import gzip
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "acled_sample.csv")
DATE = (2024, 1, 1, 0, 0, 0)  # fixed, so the bytes do not change


def member(z, name, data, method=zipfile.ZIP_DEFLATED, zip64=False):
    info = zipfile.ZipInfo(name, DATE)
    info.compress_type = method
    with z.open(info, "w", force_zip64=zip64) as f:
        f.write(data)


def main():
    data = open(CSV, "rb").read()
    with open(os.path.join(HERE, "acled.csv.gz"), "wb") as f:
        f.write(gzip.compress(data, mtime=0))
    # two gzip members one after the other read as one stream
    half = data.index(b"\n", len(data) // 2) + 1
    with open(os.path.join(HERE, "acled_members.csv.gz"), "wb") as f:
        f.write(gzip.compress(data[:half], mtime=0))
        f.write(gzip.compress(data[half:], mtime=0))
    with zipfile.ZipFile(os.path.join(HERE, "acled.zip"), "w") as z:
        member(z, "README.txt", b"ACLED sample, for the tests\n")
        member(z, "export/acled_sample.csv", data)
        member(z, "__MACOSX/export/._acled_sample.csv", b"\0\5\26\7")
    with zipfile.ZipFile(os.path.join(HERE, "acled_stored.zip"), "w") as z:
        member(z, "acled_sample.csv", data, zipfile.ZIP_STORED)
    with zipfile.ZipFile(os.path.join(HERE, "acled_zip64.zip"), "w") as z:
        member(z, "acled_sample.csv", data, zip64=True)
    with zipfile.ZipFile(os.path.join(HERE, "two.zip"), "w") as z:
        member(z, "a.csv", data)
        member(z, "b.jsonl", b'{"source": "x"}\n')
    with zipfile.ZipFile(os.path.join(HERE, "nodata.zip"), "w") as z:
        member(z, "README.txt", b"nothing to read\n")
    with zipfile.ZipFile(os.path.join(HERE, "book.xlsx"), "w") as z:
        member(z, "[Content_Types].xml", b"<Types/>")
        member(z, "xl/workbook.xml", b"<workbook/>")


if __name__ == "__main__":
    main()
