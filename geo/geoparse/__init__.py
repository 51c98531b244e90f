"""Place recognition and geocoding: text -> candidate place names (`recognise`) -> gazetteer places
(`gazetteer`, built offline from registry packages) -> coordinates with a disambiguated best place
(`geocode`)."""
