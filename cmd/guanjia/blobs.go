package main

import (
	"context"
	"fmt"

	"guanjia/store"
)

// openBlobs connects to where uploads live (GUANJIA_BLOB_URL): DataDir on
// local disk by default, or a bucket of an S3-compatible store, created when
// missing. Files are always streamed through the API, never handed out as
// the store's signed links: see store.S3Blobs.SignedURL for why.
func (m *Main) openBlobs(ctx context.Context) (store.Blobs, error) {
	loc, err := store.ParseBlobURL(m.Config.BlobURL, m.Config.DataDir, m.Config.BlobAccessKey, m.Config.BlobSecretKey)
	if err != nil {
		return nil, fmt.Errorf("GUANJIA_BLOB_URL: %w", err)
	}
	blobs, err := store.OpenBlobs(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("GUANJIA_BLOB_URL %s: %w", loc, err)
	}
	return blobs, nil
}
