package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"guanjia/store"
)

// With GUANJIA_BLOB_URL on an S3-compatible store, a citizen's photo goes to
// the bucket under photos/, comes back through the API to whoever may see
// the complaint, and is no file on local disk.
func TestComplaintPhotoOnS3(t *testing.T) {
	raw := os.Getenv("GUANJIA_TEST_BLOB_URL")
	if raw == "" {
		t.Skip("GUANJIA_TEST_BLOB_URL is not set: .ci/s3-server starts an S3-compatible server and sets it")
	}
	m := startMain(t, func(c *Config) { c.BlobURL = raw })
	citizen, crew := login(t, m, "citizen"), login(t, m, "crew-lh02-hw")
	a := citizen.must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "垃圾", "lat": lh01Lat, "lng": lh01Lng})
	photo := citizen.upload(fmt.Sprintf("/api/v1/complaints/%d/photos", int64(a.num("id"))), "report", pngBytes())
	if photo.status != 201 {
		t.Fatalf("upload: %d %s", photo.status, photo.raw)
	}
	id := photo.str("id")

	req, _ := http.NewRequest("GET", m.URL+"/api/v1/photos/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+citizen.token)
	got := citizen.send(req)
	if got.status != 200 || got.header.Get("Content-Type") != "image/png" {
		t.Fatalf("photo download: %d %s", got.status, got.header.Get("Content-Type"))
	}
	req.Header.Set("Authorization", "Bearer "+crew.token) // another district's crew
	if other := crew.send(req); other.status != 404 {
		t.Errorf("another district's crew got the photo: %d", other.status)
	}

	loc, err := store.ParseBlobURL(raw, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := store.OpenBlobs(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := bucket.Kind("photos").Open(context.Background(), id)
	if err != nil {
		t.Fatalf("the photo is not in the bucket under photos/: %v", err)
	}
	stored, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(stored, got.raw) {
		t.Errorf("the bucket holds %d bytes, the API served %d", len(stored), len(got.raw))
	}
	if entries, _ := os.ReadDir(m.Config.DataDir + "/photos"); len(entries) != 0 {
		t.Errorf("photos were written to local disk too: %v", entries)
	}
}
