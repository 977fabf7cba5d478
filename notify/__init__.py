"""The notifier (通知): text messages to citizens who asked for them at the kiosk (docs/notify.md)."""
