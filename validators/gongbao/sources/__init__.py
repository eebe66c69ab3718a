"""Sources on the web: fetching an article, extracting its text, checking every evidence quote
against it (``gongbao sources check --online``) and writing a capture for the source archive
(``gongbao sources capture``). Needs the extra ``gongbao[sources]`` (httpx, trafilatura)."""
