package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"guanjia"
)

// BlobLocation says where uploaded files live (GUANJIA_BLOB_URL): a
// directory on local disk, or a bucket of an S3-compatible object store.
type BlobLocation struct {
	Dir string // local disk: one subdirectory per kind; "" when S3

	// S3-compatible store: s3://[access:secret@]bucket?endpoint=host:port&region=…&secure=false&lookup=path
	Bucket, Endpoint, Region string
	AccessKey, SecretKey     string
	Insecure                 bool   // plain http to the endpoint (secure=false)
	Lookup                   string // "path", "dns" or "" (the client decides)
}

// ParseBlobURL reads GUANJIA_BLOB_URL. "" means dataDir on disk; a path or
// file:// URL names another directory. For s3:// the keys may come in the
// URL's userinfo or, to keep them out of the URL, in accessKey/secretKey.
func ParseBlobURL(raw, dataDir, accessKey, secretKey string) (BlobLocation, error) {
	if raw == "" {
		return BlobLocation{Dir: dataDir}, nil
	}
	if !strings.Contains(raw, "://") {
		return BlobLocation{Dir: raw}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return BlobLocation{}, fmt.Errorf("blob url: %w", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return BlobLocation{}, fmt.Errorf("blob url: file:// names a path on this host, not %q", u.Host)
		}
		if u.Path == "" {
			return BlobLocation{}, errors.New("blob url: file:// needs a path")
		}
		return BlobLocation{Dir: u.Path}, nil
	case "s3":
	default:
		return BlobLocation{}, fmt.Errorf("blob url: scheme %q is not file or s3", u.Scheme)
	}
	q := u.Query()
	loc := BlobLocation{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"),
		AccessKey: accessKey, SecretKey: secretKey, Lookup: q.Get("lookup")}
	if u.User != nil {
		loc.AccessKey = u.User.Username()
		loc.SecretKey, _ = u.User.Password()
	}
	if loc.Bucket == "" || strings.Trim(u.Path, "/") != "" {
		return BlobLocation{}, errors.New("blob url: s3:// names one bucket, e.g. s3://guanjia?endpoint=oss.example.cn")
	}
	if loc.Endpoint == "" || strings.Contains(loc.Endpoint, "/") {
		return BlobLocation{}, errors.New("blob url: s3:// needs endpoint=host[:port]")
	}
	if s := q.Get("secure"); s != "" {
		secure, err := strconv.ParseBool(s)
		if err != nil {
			return BlobLocation{}, fmt.Errorf("blob url: secure=%q is not true or false", s)
		}
		loc.Insecure = !secure
	}
	if loc.Lookup != "" && loc.Lookup != "path" && loc.Lookup != "dns" {
		return BlobLocation{}, fmt.Errorf("blob url: lookup=%q is not path or dns", loc.Lookup)
	}
	if loc.AccessKey == "" || loc.SecretKey == "" {
		return BlobLocation{}, errors.New("blob url: s3:// needs an access key and a secret key (in the URL or GUANJIA_BLOB_ACCESS_KEY and GUANJIA_BLOB_SECRET_KEY)")
	}
	return loc, nil
}

// String names the location without its keys, for logs.
func (l BlobLocation) String() string {
	if l.Bucket == "" {
		return l.Dir
	}
	return "s3://" + l.Bucket + "?endpoint=" + l.Endpoint
}

// Blobs hands out the store of each kind of upload ("photos",
// "credit-documents"): a subdirectory on disk, a key prefix in a bucket.
type Blobs interface {
	Kind(name string) guanjia.BlobStore
}

// DiskRoot keeps each kind in a subdirectory of Dir.
type DiskRoot struct{ Dir string }

func (d DiskRoot) Kind(name string) guanjia.BlobStore {
	return DiskBlobs{Dir: filepath.Join(d.Dir, name)}
}

// OpenBlobs connects to loc; for S3 it creates the bucket when it is missing.
func OpenBlobs(ctx context.Context, loc BlobLocation) (Blobs, error) {
	if loc.Bucket == "" {
		return DiskRoot{Dir: loc.Dir}, nil
	}
	s, err := NewS3Blobs(loc)
	if err != nil {
		return nil, err
	}
	if err := s.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// S3Blobs keeps uploaded files in one bucket of an S3-compatible store
// (MinIO, SeaweedFS, Aliyun OSS, Tencent COS…), each kind under a prefix.
type S3Blobs struct {
	client *minio.Client
	bucket string
	region string
	prefix string // "photos/"; "" at the root of the bucket
}

// NewS3Blobs returns the store of loc's bucket without touching the network.
func NewS3Blobs(loc BlobLocation) (S3Blobs, error) {
	lookup := map[string]minio.BucketLookupType{"": minio.BucketLookupAuto, "path": minio.BucketLookupPath, "dns": minio.BucketLookupDNS}
	c, err := minio.New(loc.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(loc.AccessKey, loc.SecretKey, ""),
		Secure: !loc.Insecure, Region: loc.Region, BucketLookup: lookup[loc.Lookup],
	})
	if err != nil {
		return S3Blobs{}, fmt.Errorf("store: s3 client: %w", err)
	}
	return S3Blobs{client: c, bucket: loc.Bucket, region: loc.Region}, nil
}

func (s S3Blobs) ensureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("store: s3 bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou { // another replica was faster
		return fmt.Errorf("store: create s3 bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Kind returns the store of one kind of upload, under name + "/".
func (s S3Blobs) Kind(name string) guanjia.BlobStore {
	s.prefix += name + "/"
	return s
}

func (s S3Blobs) object(key string) (string, error) {
	if err := checkBlobKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// Put uploads r in parts of 5 MiB at most, so an upload of unknown length
// holds no more than one part in memory.
func (s S3Blobs) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, r, -1, minio.PutObjectOptions{PartSize: 5 << 20})
	if err != nil {
		return fmt.Errorf("store: put blob %s: %w", key, err)
	}
	return nil
}

// Open asks for the object's head first, so a missing key is ENOTFOUND here
// rather than an error on the first Read.
func (s S3Blobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, guanjia.Errorf(guanjia.ENOTFOUND, "file %s not found", key)
		}
		return nil, fmt.Errorf("store: open blob %s: %w", key, err)
	}
	return obj, nil
}

// Delete removes key; a key that is gone already is no error.
func (s S3Blobs) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}

// List returns the keys of this kind that start with prefix, for operators
// looking for files no row names.
func (s S3Blobs) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("store: list blobs: %w", o.Err)
		}
		keys = append(keys, strings.TrimPrefix(o.Key, s.prefix))
	}
	return keys, nil
}

// SignedURL is a link that lets whoever holds it GET the file for ttl
// without credentials. The API does not hand these out: it streams files
// itself, because it checks on every read that the caller may still see
// the file and that content security has not hidden it, a check a link
// given out earlier would skip; and the bucket is usually on an internal
// network the WeChat mini-program cannot reach. The links are for
// operators and tools that need a file directly.
func (s S3Blobs) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	name, err := s.object(key)
	if err != nil {
		return "", err
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, name, ttl, nil)
	if err != nil {
		return "", fmt.Errorf("store: sign blob %s: %w", key, err)
	}
	return u.String(), nil
}

var _ guanjia.BlobStore = S3Blobs{}
