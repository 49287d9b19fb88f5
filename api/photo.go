package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
)

type photoJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

func toPhotoJSON(p *guanjia.Photo) photoJSON {
	return photoJSON{ID: p.ID, Kind: p.Kind, ContentType: p.ContentType, Size: p.Size,
		URL: "/api/v1/photos/" + p.ID, CreatedAt: p.CreatedAt}
}

// handlePhotoUpload takes a multipart "file" (JPEG, PNG or WebP, decoded and
// re-encoded by readImage) and a "kind": report, before or after.
func (h *complaintHandlers) handlePhotoUpload(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	img, err := readImage(c, h.maxPhotoBytes)
	if err != nil {
		return err
	}
	defer img.Close()
	kind := c.FormValue("kind")
	if kind == "" {
		kind = "report"
	}
	p, err := h.dispatch.AttachPhoto(c.Request().Context(), claimsOf(c), id, kind, img.contentType, img.size, img)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPhotoJSON(p))
}

// SignPhotoURL is a link to a photo that works without a login until exp,
// for WeChat's content security, which fetches the photo to judge it.
func SignPhotoURL(base, secret, photoID string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return fmt.Sprintf("%s/media/photos/%s?exp=%s&sig=%s", strings.TrimRight(base, "/"), photoID, e, photoSignature(secret, photoID, e))
}

func photoSignature(secret, photoID, exp string) string {
	m := hmac.New(sha256.New, []byte("guanjia:photo:"+secret))
	m.Write([]byte(photoID + "\n" + exp))
	return hex.EncodeToString(m.Sum(nil))
}

// handlePhotoSigned serves a photo on a signed, expiring link.
func (h *complaintHandlers) handlePhotoSigned(c echo.Context) error {
	id, exp := c.Param("photo"), c.QueryParam("exp")
	unix, err := strconv.ParseInt(exp, 10, 64)
	want := photoSignature(h.secret, id, exp)
	if err != nil || h.now().Unix() > unix || !hmac.Equal([]byte(want), []byte(c.QueryParam("sig"))) {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "the link is invalid or has expired")
	}
	p, body, err := h.dispatch.OpenPhotoByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer body.Close()
	return servePhoto(c, p.ID, p.ContentType, body)
}

// upload is an uploaded image, decoded and encoded afresh (cleanImage).
type upload struct {
	io.Reader
	contentType string
	size        int64
}

func (*upload) Close() error { return nil }

// readImage takes the multipart "file" of the request: a JPEG, PNG or WebP
// (whatever its name says) no larger than the configured limit, and hands
// back the image re-encoded by cleanImage: pixels only, upright, without
// metadata or anything smuggled beside them. Every photo upload — complaints
// and volunteer albums — goes through here.
func readImage(c echo.Context, maxBytes int64) (*upload, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxBytes+(64<<10))
	fh, err := c.FormFile("file")
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || (err == nil && fh.Size > maxBytes):
		return nil, guanjia.Errorf(guanjia.ETOOLARGE, "the photo is larger than %d MB", maxBytes>>20)
	case err != nil:
		return nil, invalid("file", "upload the photo as multipart field \"file\"")
	}
	if err := checkForm(r); err != nil {
		return nil, err
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("api: read upload: %w", err)
	}
	clean, contentType, err := cleanImage(data)
	if err != nil {
		return nil, err
	}
	return &upload{Reader: bytes.NewReader(clean), contentType: contentType, size: int64(len(clean))}, nil
}

// photoExtensions name the types photos are served as; anything else (a
// file stored before uploads were re-encoded) is offered as a download.
var photoExtensions = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}

// servePhoto streams a stored photo as what it is, never as anything a
// browser could take for a page: the stored type with nosniff, a file name
// from its id, and a policy that runs nothing if it is opened on its own.
func servePhoto(c echo.Context, id, contentType string, body io.Reader) error {
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	if ext, ok := photoExtensions[contentType]; ok {
		h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", id+ext))
	} else {
		contentType = "application/octet-stream"
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", id+".bin"))
	}
	return c.Stream(http.StatusOK, contentType, body)
}

// handlePhotoGet streams a photo to whoever may see its complaint.
func (h *complaintHandlers) handlePhotoGet(c echo.Context) error {
	p, body, err := h.dispatch.OpenPhoto(c.Request().Context(), claimsOf(c), c.Param("photo"))
	if err != nil {
		return err
	}
	defer body.Close()
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return servePhoto(c, p.ID, p.ContentType, body)
}
