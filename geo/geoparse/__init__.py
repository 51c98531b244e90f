"""Place recognition and geocoding: text -> candidate place names (`recognise`) -> gazetteer places
(`gazetteer`, built offline from registry packages; shipped prebuilt as `gazetteer-index.gz` in the
format of `index_file`, chosen or rebuilt by `index_store`) -> coordinates with a disambiguated best place
(`geocode`)."""
