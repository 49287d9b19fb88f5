package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"guanjia"
	"guanjia/api"
	"guanjia/sms"
)

// loadSMSConfig reads the Tencent Cloud SMS settings (see .env.example).
func loadSMSConfig() (sms.Config, error) {
	templates, err := pairs("SMS_TEMPLATES")
	if err != nil {
		return sms.Config{}, err
	}
	return sms.Config{
		SecretID: os.Getenv("SMS_SECRET_ID"), SecretKey: os.Getenv("SMS_SECRET_KEY"), Region: env("SMS_REGION", "ap-guangzhou"),
		SdkAppID: os.Getenv("SMS_SDK_APP_ID"), SignName: os.Getenv("SMS_SIGN_NAME"), Templates: templates,
		Fake: os.Getenv("SMS_FAKE") == "true" || os.Getenv("SMS_FAKE") == "1",
	}, nil
}

// setupSMS prepares the texts to 12345 callers. The all-in-one demo without
// Tencent Cloud credentials starts the offline fake, so the whole 受理 → 办结
// → 回访 loop can be seen; a production process refuses the fake.
func (m *Main) setupSMS(mode Mode) error {
	cfg := m.Config.SMS
	switch {
	case cfg.Fake && mode != ModeAll:
		return errors.New("SMS_FAKE is for the all-in-one demo only; configure SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SDK_APP_ID, SMS_SIGN_NAME and SMS_TEMPLATES")
	case cfg.SecretID == "" && mode == ModeAll:
		cfg.Fake = true
	case cfg.SecretID == "":
		m.Log.Info("no SMS configured: texts to 12345 callers are recorded as no_channel")
		return nil
	case mode == ModeWorker && m.Config.PublicURL == "":
		return errors.New("SMS needs GUANJIA_PUBLIC_URL: the 办结 text links to the rating page")
	}
	if cfg.Fake {
		f, err := sms.StartFake()
		if err != nil {
			return fmt.Errorf("start the offline SMS: %w", err)
		}
		m.fakeSMS = f
		cfg.BaseURL = f.URL
	}
	base, secret, now := m.publicBase(), m.Config.Secret, m.Now
	link := func(id int64) string { return api.SignRatingURL(base, secret, id, now().Add(api.RatingLinkTTL)) }
	sender, err := sms.New(cfg, m.DB.Complaints, m.DB.Disputes, link, m.Log)
	if err != nil {
		return err
	}
	m.SMS = sender
	return nil
}

// smsWiring adds the SMS sender to the senders.
func (m *Main) smsWiring(senders map[string]guanjia.Sender) {
	if m.SMS != nil {
		senders[guanjia.ChannelSMS] = m.SMS
	}
}

// publicBase is how people reach this server, for links in texts: the
// configured public URL, else (the demo) the address it listens on.
func (m *Main) publicBase() string {
	if m.Config.PublicURL != "" {
		return strings.TrimRight(m.Config.PublicURL, "/")
	}
	if m.Listener != nil {
		return "http://" + m.Listener.Addr().String()
	}
	host, port, err := net.SplitHostPort(m.Config.HTTPAddr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// fakeSMSMessages shows what callers' phones would have received, in the demo only.
func (m *Main) fakeSMSMessages() http.Handler {
	if m.fakeSMS == nil {
		return nil
	}
	return m.fakeSMS.MessagesHandler()
}
