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

// imageTypes are the formats accepted, by sniffed content type.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// handlePhotoUpload takes a multipart "file" (JPEG, PNG or WebP, sniffed from
// its bytes, not its name) and a "kind": report, before or after.
func (s *Server) handlePhotoUpload(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	img, err := s.readImage(c)
	if err != nil {
		return err
	}
	defer img.Close()
	kind := c.FormValue("kind")
	if kind == "" {
		kind = "report"
	}
	p, err := s.dispatch.AttachPhoto(c.Request().Context(), claimsOf(c), id, kind, img.contentType, img.size, img)
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
func (s *Server) handlePhotoSigned(c echo.Context) error {
	id, exp := c.Param("photo"), c.QueryParam("exp")
	unix, err := strconv.ParseInt(exp, 10, 64)
	want := photoSignature(s.cfg.Secret, id, exp)
	if err != nil || s.now().Unix() > unix || !hmac.Equal([]byte(want), []byte(c.QueryParam("sig"))) {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "the link is invalid or has expired")
	}
	p, body, err := s.dispatch.OpenPhotoByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer body.Close()
	return c.Stream(http.StatusOK, p.ContentType, body)
}

// upload is an uploaded image: its bytes, sniffed type and size.
type upload struct {
	io.Reader
	io.Closer
	contentType string
	size        int64
}

// readImage takes the multipart "file" of the request: a JPEG, PNG or WebP
// (sniffed from its bytes, not its name) no larger than the configured limit.
func (s *Server) readImage(c echo.Context) (*upload, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxPhotoBytes+(64<<10))
	fh, err := c.FormFile("file")
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || (err == nil && fh.Size > s.cfg.MaxPhotoBytes):
		return nil, guanjia.Errorf(guanjia.ETOOLARGE, "the photo is larger than %d MB", s.cfg.MaxPhotoBytes>>20)
	case err != nil:
		return nil, invalid("file", "upload the photo as multipart field \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	ct := http.DetectContentType(head[:n])
	if !imageTypes[ct] {
		f.Close()
		return nil, guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the file is not a JPEG, PNG or WebP image")
	}
	return &upload{Reader: io.MultiReader(bytes.NewReader(head[:n]), f), Closer: f, contentType: ct, size: fh.Size}, nil
}

// handlePhotoGet streams a photo to whoever may see its complaint.
func (s *Server) handlePhotoGet(c echo.Context) error {
	p, body, err := s.dispatch.OpenPhoto(c.Request().Context(), claimsOf(c), c.Param("photo"))
	if err != nil {
		return err
	}
	defer body.Close()
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Stream(http.StatusOK, p.ContentType, body)
}
