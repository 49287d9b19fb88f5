package volunteer

import (
	"context"
	"io"

	"guanjia"
)

// AddPhoto puts an image into an activity's album. Participants (anyone who
// checked in) and the team's admins may; contentType was sniffed by the caller.
func (s *Activities) AddPhoto(ctx context.Context, who guanjia.Claims, activityID int64, contentType string, size int64, body io.Reader) (*ActivityPhoto, error) {
	if s.Blobs == nil {
		return nil, guanjia.Errorf(guanjia.EUNSUPPORTED, "photo storage is not configured")
	}
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		su, err := s.Store.FindActiveSignup(ctx, a.ID, who.UserID)
		if err != nil || su.CheckinAt == nil {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only participants who checked in and the organisers add photos")
		}
	}
	p := &ActivityPhoto{ActivityID: a.ID, ContentType: contentType, Size: size, UploadedBy: who.UserID, CreatedAt: s.now()}
	if err := guanjia.SaveBlob(ctx, s.Blobs, "va", body, func(key string) error {
		p.ID = key
		return s.Store.AddActivityPhoto(ctx, p)
	}); err != nil {
		return nil, err
	}
	return p, nil
}

// ListPhotos lists an activity's album to anyone who may see the activity.
func (s *Activities) ListPhotos(ctx context.Context, who guanjia.Claims, activityID int64) ([]*ActivityPhoto, error) {
	if _, _, _, err := s.loadActivity(ctx, who, activityID); err != nil {
		return nil, err
	}
	return s.Store.ListActivityPhotos(ctx, activityID)
}

// OpenPhoto returns a photo of an activity's album.
func (s *Activities) OpenPhoto(ctx context.Context, who guanjia.Claims, activityID int64, photoID string) (*ActivityPhoto, io.ReadCloser, error) {
	if _, _, _, err := s.loadActivity(ctx, who, activityID); err != nil {
		return nil, nil, err
	}
	p, err := s.Store.FindActivityPhoto(ctx, photoID)
	if err != nil || p.ActivityID != activityID || s.Blobs == nil {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "photo %s not found", photoID)
	}
	r, err := s.Blobs.Open(ctx, p.ID)
	return p, r, err
}
