"""Flask pieces both HTTP apps share: JSON rendering, error bodies, request logging."""
