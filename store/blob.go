package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"guanjia"
)

// DiskBlobs keeps uploaded files in a directory, one file per key.
type DiskBlobs struct{ Dir string }

// checkBlobKey refuses keys that could name another kind's file or leave
// the directory: keys are made by guanjia.SaveBlob, never typed by people.
func checkBlobKey(key string) error {
	if key == "" || strings.ContainsAny(key, `/\`) || strings.Contains(key, "..") {
		return guanjia.Errorf(guanjia.EINVALID, "bad file key %q", key)
	}
	return nil
}

func (d DiskBlobs) path(key string) (string, error) {
	if err := checkBlobKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.Dir, key[:min(2, len(key))], key), nil
}

// Put writes r under key atomically (temp file, then rename).
func (d DiskBlobs) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("store: blob dir: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("store: blob temp: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("store: write blob %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: write blob %s: %w", key, err)
	}
	return os.Rename(f.Name(), p)
}

func (d DiskBlobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "file %s not found", key)
	}
	return f, err
}

func (d DiskBlobs) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}
