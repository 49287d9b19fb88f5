package guanjia

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
)

// BlobStore keeps uploaded files (photos, documents) outside the database.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// SaveBlob stores body in blobs under a new random key that starts with
// prefix, then calls record to write the row that names the key. When record
// fails the blob is deleted again, so no file is left that no row refers to.
func SaveBlob(ctx context.Context, blobs BlobStore, prefix string, body io.Reader, record func(key string) error) error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	key := prefix + hex.EncodeToString(b)
	if err := blobs.Put(ctx, key, body); err != nil {
		return err
	}
	if err := record(key); err != nil {
		_ = blobs.Delete(ctx, key)
		return err
	}
	return nil
}
