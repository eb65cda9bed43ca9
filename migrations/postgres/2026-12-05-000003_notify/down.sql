DROP TRIGGER site_state_notify ON site_state;
DROP FUNCTION site_state_notify();
