package gateway

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io/fs"
	"strings"
	"testing"
)

// zipEntry is an entry of a test archive. A symlink entry's body is its target;
// claimed, when not zero, is the uncompressed size its header states instead of the
// true one.
type zipEntry struct {
	name    string
	body    []byte
	symlink bool
	claimed uint64
}

func zipOf(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.claimed != 0 {
			writeRawEntry(t, zw, e)
			continue
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.symlink {
			h.SetMode(fs.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeRawEntry writes an entry whose header lies about its uncompressed size.
func writeRawEntry(t *testing.T, zw *zip.Writer, e zipEntry) {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(e.body); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.body),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: e.claimed,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(comp.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testLimits are small, so that a test can pass them with little data.
var testLimits = unpackLimits{document: 1000, archive: 1500, entries: 4}

func unpackBytes(name string, b []byte, lim unpackLimits) ([]document, error) {
	return unpack(name, bytes.NewReader(b), int64(len(b)), lim)
}

func TestUnpackReadsEachKindOfDelivery(t *testing.T) {
	doc := []byte("<Document/>")
	cases := []struct {
		name      string
		file      []byte
		wantNames []string
	}{
		{"a.xml", doc, []string{"a.xml"}},
		{"A.XML", doc, []string{"A.XML"}},
		{"a.xml.gz", gzipOf(t, doc), []string{"a.xml.gz"}},
		{"a.GZ", gzipOf(t, doc), []string{"a.GZ"}},
		{"day.zip", zipOf(t, zipEntry{name: "sub/"}, zipEntry{name: "a.xml", body: doc}, zipEntry{name: "sub/B.Xml", body: doc}),
			[]string{"day.zip!a.xml", "day.zip!sub/B.Xml"}},
		{"DAY.ZIP", zipOf(t, zipEntry{name: "a.xml", body: doc}), []string{"DAY.ZIP!a.xml"}},
	}
	for _, c := range cases {
		docs, err := unpackBytes(c.name, c.file, testLimits)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var names []string
		for _, d := range docs {
			names = append(names, d.name)
			if !bytes.Equal(d.body, doc) {
				t.Errorf("%s: document %s is %q", c.name, d.name, d.body)
			}
		}
		if strings.Join(names, " ") != strings.Join(c.wantNames, " ") {
			t.Errorf("%s: documents %v, want %v", c.name, names, c.wantNames)
		}
	}
}

func TestUnpackRefusesWhatItCannotTrust(t *testing.T) {
	doc := []byte("<Document/>")
	big := bytes.Repeat([]byte("x"), 1001)
	gz := gzipOf(t, doc)
	cases := []struct {
		what, name string
		file       []byte
		want       string
	}{
		{"a path that climbs out", "a.zip", zipOf(t, zipEntry{name: "ok.xml", body: doc}, zipEntry{name: "../evil.xml", body: doc}), "climbs out"},
		{"a path that climbs out from a folder", "a.zip", zipOf(t, zipEntry{name: "sub/../../evil.xml", body: doc}), "climbs out"},
		{"an absolute path", "a.zip", zipOf(t, zipEntry{name: "/etc/evil.xml", body: doc}), "absolute path"},
		{"a backslash", "a.zip", zipOf(t, zipEntry{name: `..\evil.xml`, body: doc}), "backslash"},
		{"a symbolic link", "a.zip", zipOf(t, zipEntry{name: "link.xml", body: []byte("/etc/passwd"), symlink: true}), "symbolic link"},
		{"an entry that is no XML", "a.zip", zipOf(t, zipEntry{name: "a.xml", body: doc}, zipEntry{name: "readme.txt", body: doc}), "not an XML document"},
		{"no XML at all", "a.zip", zipOf(t, zipEntry{name: "sub/"}), "no XML document"},
		{"too many entries", "a.zip", zipOf(t, zipEntry{name: "1.xml", body: doc}, zipEntry{name: "2.xml", body: doc},
			zipEntry{name: "3.xml", body: doc}, zipEntry{name: "4.xml", body: doc}, zipEntry{name: "5.xml", body: doc}), "5 entries, more than 4"},
		{"an entry too large", "a.zip", zipOf(t, zipEntry{name: "a.xml", body: big}), "more than 1000 bytes"},
		{"entries too large together", "a.zip", zipOf(t, zipEntry{name: "a.xml", body: big[:800]}, zipEntry{name: "b.xml", body: big[:800]}),
			"more than 1500 bytes uncompressed"},
		{"a header that understates", "a.zip", zipOf(t, zipEntry{name: "a.xml", body: big[:900], claimed: 10}), "zip: not a valid zip file"},
		{"a header that claims a size beyond the limit", "a.zip", zipOf(t, zipEntry{name: "a.xml", body: bytes.Repeat([]byte("x"), 50_000), claimed: 1 << 40}),
			"more than 1000 bytes"},
		{"an archive too large to read", "a.zip", append(zipOf(t, zipEntry{name: "a.xml", body: doc}), make([]byte, 1500)...), "more than the 1500 read"},
		{"not a zip", "a.zip", doc, "not a readable zip archive"},
		{"a gzip too large", "a.gz", gzipOf(t, big), "more than 1000 bytes"},
		{"a truncated gzip", "a.gz", gz[:len(gz)-4], "unexpected EOF"},
		{"not a gzip", "a.gz", doc, "not a readable gzip file"},
		{"a document too large", "a.xml", big, "more than 1000 bytes"},
	}
	for _, c := range cases {
		docs, err := unpackBytes(c.name, c.file, testLimits)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.what, err, c.want)
		}
		if docs != nil {
			t.Errorf("%s: %d documents from a refused delivery", c.what, len(docs))
		}
	}
}
