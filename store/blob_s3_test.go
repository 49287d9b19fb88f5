package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/store"
)

// testBlobs opens the S3 store of GUANJIA_TEST_BLOB_URL (.ci/s3-server
// starts one) under a kind of the test's own, so runs never see each
// other's files.
func testBlobs(t *testing.T) (store.S3Blobs, string) {
	t.Helper()
	raw := os.Getenv("GUANJIA_TEST_BLOB_URL")
	if raw == "" {
		t.Skip("GUANJIA_TEST_BLOB_URL is not set: .ci/s3-server starts an S3-compatible server and sets it")
	}
	loc, err := store.ParseBlobURL(raw, "", "", "")
	if err != nil || loc.Bucket == "" {
		t.Fatalf("GUANJIA_TEST_BLOB_URL %s: %+v %v", raw, loc, err)
	}
	blobs, err := store.OpenBlobs(context.Background(), loc) // creates the bucket when missing
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	kind := "test-" + hex.EncodeToString(b)
	return blobs.Kind(kind).(store.S3Blobs), kind
}

func TestS3BlobsRoundTrip(t *testing.T) {
	ctx := context.Background()
	blobs, _ := testBlobs(t)
	photo := bytes.Repeat([]byte("海口"), 3<<20) // 18 MiB: several parts of a multipart upload
	if err := blobs.Put(ctx, "p1", bytes.NewReader(photo)); err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(ctx, "p2", strings.NewReader("small")); err != nil {
		t.Fatal(err)
	}
	r, err := blobs.Open(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("read back %d bytes (%v), want the %d put", len(got), err, len(photo))
	}
	if keys, err := blobs.List(ctx, ""); err != nil || !slices.Equal(keys, []string{"p1", "p2"}) {
		t.Errorf("list = %v %v, want [p1 p2]", keys, err)
	}

	// A signed link serves the file without credentials, until it expires.
	link, err := blobs.SignedURL(ctx, "p2", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "small" {
		t.Errorf("signed link: %d %q", res.StatusCode, body)
	}
	unsigned, _, _ := strings.Cut(link, "?")
	if res, err := http.Get(unsigned); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("the file is served without a signature")
		}
	}

	if err := blobs.Delete(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if err := blobs.Delete(ctx, "p1"); err != nil {
		t.Errorf("deleting a deleted file: %v", err)
	}
	if _, err := blobs.Open(ctx, "p1"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("open a deleted file: %v, want not found", err)
	}
	if keys, _ := blobs.List(ctx, ""); !slices.Equal(keys, []string{"p2"}) {
		t.Errorf("list after delete = %v", keys)
	}
	if err := blobs.Put(ctx, "../p3", strings.NewReader("x")); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a key that leaves its kind: %v", err)
	}
	blobs.Delete(ctx, "p2")
}

// Kinds are prefixes of one bucket: a key of one kind is not found in another.
func TestS3BlobKindsAreApart(t *testing.T) {
	ctx := context.Background()
	photos, kind := testBlobs(t)
	if err := photos.Put(ctx, "k", strings.NewReader("photo")); err != nil {
		t.Fatal(err)
	}
	defer photos.Delete(ctx, "k")
	loc, _ := store.ParseBlobURL(os.Getenv("GUANJIA_TEST_BLOB_URL"), "", "", "")
	root, err := store.OpenBlobs(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.Kind(kind+"-documents").Open(ctx, "k"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("another kind's key: %v, want not found", err)
	}
	if keys, err := root.(store.S3Blobs).List(ctx, kind+"/"); err != nil || !slices.Equal(keys, []string{kind + "/k"}) {
		t.Errorf("the bucket holds %v %v, want %s/k", keys, err, kind)
	}
}

func TestS3BlobsWithWrongKeys(t *testing.T) {
	raw := os.Getenv("GUANJIA_TEST_BLOB_URL")
	if raw == "" {
		t.Skip("GUANJIA_TEST_BLOB_URL is not set")
	}
	loc, _ := store.ParseBlobURL(raw, "", "", "")
	loc.SecretKey = "not-the-secret-7f3a"
	_, err := store.OpenBlobs(context.Background(), loc)
	if err == nil {
		t.Fatal("opened the store with a wrong secret key")
	}
	if strings.Contains(err.Error(), loc.SecretKey) {
		t.Errorf("the error shows the secret key: %v", err)
	}
}

func TestParseBlobURL(t *testing.T) {
	for _, c := range []struct {
		raw, access, secret string
		want                store.BlobLocation
	}{
		{"", "", "", store.BlobLocation{Dir: "./data"}},
		{"/srv/guanjia/uploads", "", "", store.BlobLocation{Dir: "/srv/guanjia/uploads"}},
		{"file:///srv/uploads", "", "", store.BlobLocation{Dir: "/srv/uploads"}},
		{"s3://AK:SK@guanjia?endpoint=127.0.0.1:8333&secure=false&region=cn-south-1&lookup=path", "", "",
			store.BlobLocation{Bucket: "guanjia", Endpoint: "127.0.0.1:8333", Region: "cn-south-1", AccessKey: "AK", SecretKey: "SK", Insecure: true, Lookup: "path"}},
		{"s3://guanjia?endpoint=oss-cn-hainan.example.com", "AK", "SK",
			store.BlobLocation{Bucket: "guanjia", Endpoint: "oss-cn-hainan.example.com", AccessKey: "AK", SecretKey: "SK"}},
	} {
		got, err := store.ParseBlobURL(c.raw, "./data", c.access, c.secret)
		if err != nil || got != c.want {
			t.Errorf("%q: %+v %v, want %+v", c.raw, got, err, c.want)
		}
	}
	for _, raw := range []string{
		"s3://guanjia",                              // no endpoint
		"s3://AK:SK@guanjia/photos?endpoint=h:1",    // a path after the bucket
		"s3://AK:SK@?endpoint=h:1",                  // no bucket
		"s3://guanjia?endpoint=h:1",                 // no keys
		"s3://AK:SK@guanjia?endpoint=h:1&secure=no", // not a bool
		"s3://AK:SK@guanjia?endpoint=h:1&lookup=x",  // unknown lookup
		"gs://guanjia",                              // another scheme
		"file://otherhost/srv",                      // another host's path
	} {
		if loc, err := store.ParseBlobURL(raw, "./data", "", ""); err == nil {
			t.Errorf("%q accepted as %+v", raw, loc)
		}
	}
	// The keys never show in what the location prints for logs.
	loc, _ := store.ParseBlobURL("s3://AK:SK@guanjia?endpoint=h:1", "", "", "")
	if s := loc.String(); strings.Contains(s, "SK") || strings.Contains(s, "AK") {
		t.Errorf("String() = %s", s)
	}
}

func FuzzParseBlobURL(f *testing.F) {
	f.Add("s3://AK:SK@guanjia?endpoint=127.0.0.1:8333&secure=false")
	f.Add("file:///srv/uploads")
	f.Add("/srv/uploads")
	f.Fuzz(func(t *testing.T, raw string) {
		loc, err := store.ParseBlobURL(raw, "./data", "", "")
		if err != nil {
			return
		}
		if (loc.Bucket == "") == (loc.Dir == "") {
			t.Errorf("%q: %+v names both or neither of a directory and a bucket", raw, loc)
		}
		if loc.Bucket != "" && (loc.Endpoint == "" || loc.AccessKey == "" || loc.SecretKey == "") {
			t.Errorf("%q: a bucket without endpoint or keys: %+v", raw, loc)
		}
	})
}
