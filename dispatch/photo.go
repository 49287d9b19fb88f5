package dispatch

import (
	"context"
	"io"

	"guanjia"
)

// Photo kinds: the reporter's, and the crew's before and after handling.
var photoKinds = map[string]bool{"report": true, "before": true, "after": true}

// AttachPhoto stores an image for complaint id; the caller must see it fully.
// The caller has decoded and re-encoded the image: contentType is what it is now.
func (s *Service) AttachPhoto(ctx context.Context, who guanjia.Claims, id int64, kind, contentType string, size int64, body io.Reader) (*guanjia.Photo, error) {
	if !photoKinds[kind] {
		return nil, guanjia.FieldError(guanjia.EINVALID, "kind", "kind is report, before or after")
	}
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeFull(ctx, who, c); err != nil { // a follower adds nothing to another's report
		return nil, err
	}
	if kind != "report" && who.Role == guanjia.RoleCitizen {
		return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "kind", "before and after photos are the crew's")
	}
	if c.Status == guanjia.StatusClosed || c.Status == guanjia.StatusRejected { // a me-too's report photos still count
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "complaint %d has ended: no more photos", id)
	}
	p := &guanjia.Photo{ComplaintID: id, Kind: kind, ContentType: contentType, Size: size, UploadedBy: who.UserID, CreatedAt: s.Now()}
	if err := guanjia.SaveBlob(ctx, s.Blobs, "", body, func(key string) error {
		p.ID = key
		return s.Store.AddPhoto(ctx, p, guanjia.MaxPhotosPerKind)
	}); err != nil {
		return nil, err
	}
	if s.Photos != nil && who.Role == guanjia.RoleCitizen {
		if u, err := s.Store.FindUserByID(ctx, who.UserID); err != nil {
			s.Log.Warn("photo check skipped", "photo", p.ID, "err", err)
		} else if err := s.Photos.CheckPhoto(ctx, u.OpenID, p.ID); err != nil {
			s.Log.Warn("photo check could not start; the photo stays visible", "photo", p.ID, "err", err)
		}
	}
	return p, nil
}

// OpenPhotoByID returns a visible photo's bytes without a caller: the API
// serves it only on a signed link, to the content-security service.
func (s *Service) OpenPhotoByID(ctx context.Context, photoID string) (*guanjia.Photo, io.ReadCloser, error) {
	p, err := s.Store.FindPhoto(ctx, photoID)
	if err != nil {
		return nil, nil, err
	}
	if p.Hidden {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "photo %s not found", photoID)
	}
	r, err := s.Blobs.Open(ctx, p.ID)
	return p, r, err
}

// OpenPhoto returns a photo's bytes if who may see its complaint fully.
func (s *Service) OpenPhoto(ctx context.Context, who guanjia.Claims, photoID string) (*guanjia.Photo, io.ReadCloser, error) {
	p, err := s.Store.FindPhoto(ctx, photoID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Store.FindComplaint(ctx, p.ComplaintID)
	if err != nil {
		return nil, nil, err
	}
	err = s.authorizeFull(ctx, who, c) // a follower sees no photos
	if lookupFailed(err) {
		return nil, nil, err // the check failed: not a refusal
	}
	if err != nil || p.Hidden {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "photo %s not found", photoID)
	}
	r, err := s.Blobs.Open(ctx, p.ID)
	return p, r, err
}
