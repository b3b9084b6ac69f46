"""Original demo explainers written for Smart Chunks (loaded by ``manage.py load_demo``)."""

AUTHORS = [
    {
        "slug": "maya-okafor",
        "name": "Maya Okafor",
        "job_title": "Technology editor",
        "experience": "12+ years in editorial",
        "bio": "<p>Maya covers software, security and the companies that build them. "
        "Before Smart Chunks she ran the technology desk of a regional daily.</p>",
        "linkedin_url": "https://www.linkedin.com/in/example-maya-okafor",
        "x_url": "https://x.com/example_maya",
        "website_url": "https://example.com/maya",
        "colour": (11, 92, 173),
    },
    {
        "slug": "tomas-lindqvist",
        "name": "Tomás Lindqvist",
        "job_title": "Science correspondent",
        "experience": "8 years covering research",
        "bio": "<p>Tomás writes about energy, materials and climate science, and reads the "
        "papers so you do not have to.</p>",
        "linkedin_url": "https://www.linkedin.com/in/example-tomas-lindqvist",
        "x_url": "",
        "website_url": "https://example.org/tomas",
        "colour": (20, 120, 90),
    },
]

SECTIONS = [
    {
        "slug": "technology",
        "name": "Technology",
        "description": "Software, security and AI, explained.",
    },
    {
        "slug": "science",
        "name": "Science",
        "description": "Research and energy, without the jargon.",
    },
]

ARTICLES = [
    {
        "slug": "why-unsecured-databases-keep-leaking",
        "title": "Why unsecured databases keep leaking",
        "standfirst": "Most data leaks are not clever hacks: they are databases left open to "
        "the internet with no password.",
        "author": "maya-okafor",
        "section": "technology",
        "tags": ["Security", "Databases"],
        "days_ago": 1,
        "hero_alt": "Rows of server racks lit in blue",
        "hero_credit": "Illustration: Smart Chunks",
        "meta_description": "Why databases end up open to the internet, how attackers find "
        "them within hours, and the three habits that prevent it.",
        "tldr": [
            "Most leaks come from databases exposed to the internet without authentication.",
            "Automated scanners find a newly exposed server within hours, not weeks.",
            "Cloud defaults have improved, but copies made for testing are often forgotten.",
            "Private networking, mandatory passwords and an inventory prevent most cases.",
        ],
        "body": """
<h2>An open door, not a broken lock</h2>
<p>When a company announces that customer records were "exposed", the cause is usually
mundane. A database server was reachable from the public internet and accepted connections
without asking for a password. Nobody had to break in: the door was open.</p>
<p>This happens because databases are built to be fast and convenient on a trusted network.
Move one to a cloud machine with a public address, skip one configuration step, and that
convenience is offered to everyone.</p>
<h2>Found in hours</h2>
<p>Search engines for connected devices scan every public address continuously and record
what answers. Researchers who deliberately expose decoy databases report the first
unauthorised visit within hours. Some visitors copy the data; others delete it and leave a
ransom note.</p>
<blockquote>The question is not whether an open database will be found, but by whom first.</blockquote>
<h3>The forgotten copy</h3>
<p>Production systems are usually watched. The leak more often comes from a copy: a snapshot
restored for a test, a staging server, an export shared with a contractor. These live outside
the usual checks and outlive the project that needed them.</p>
<h2>What prevents it</h2>
<ul>
<li>Keep databases on private networks and reach them through an application or a bastion.</li>
<li>Require authentication everywhere, including in development.</li>
<li>Keep an inventory of every copy, with an owner and an expiry date.</li>
</ul>
""",
        "faq": [
            (
                "Is an exposed database the same as being hacked?",
                "<p>Legally and practically it is often treated the same way: the data left "
                "the owner's control. Technically, no security measure had to be defeated.</p>",
            ),
            (
                "Can encryption at rest stop this kind of leak?",
                "<p>No. Encryption at rest protects stolen disks. A database that answers queries "
                "decrypts the data for whoever asks.</p>",
            ),
        ],
        "sources": [
            ("CISA", "https://www.cisa.gov/", "Guidance on securing cloud databases"),
            ("OWASP", "https://owasp.org/", "Top ten web application risks"),
        ],
    },
    {
        "slug": "sodium-ion-vs-lithium-ion-batteries",
        "title": "Sodium-ion batteries, explained: cheaper, heavier, and coming to your street",
        "standfirst": "Sodium is abundant and cheap. The catch is weight, which decides where "
        "the new batteries make sense first.",
        "author": "tomas-lindqvist",
        "section": "science",
        "tags": ["Batteries", "Energy"],
        "days_ago": 3,
        "hero_alt": "Abstract diagram of ions moving between two electrodes",
        "hero_credit": "Illustration: Smart Chunks",
        "meta_description": "How sodium-ion batteries work, how they compare with lithium-ion "
        "on cost, weight and cold weather, and where they will appear first.",
        "tldr": [
            "Sodium-ion cells work like lithium-ion ones, with sodium carrying the charge.",
            "Sodium is far more abundant, so cells avoid lithium's price swings.",
            "They store less energy per kilogram, so they suit grid storage and small cars first.",
        ],
        "body": """
<h2>Same idea, different ion</h2>
<p>A rechargeable battery moves charged atoms (ions) from one electrode to the other while
charging, and back while powering something. Lithium-ion cells use lithium for that job.
Sodium-ion cells use sodium, the element in table salt.</p>
<h2>Why manufacturers care</h2>
<p>Sodium can be produced almost anywhere from widely available materials. That makes the
supply chain shorter and the price steadier. Many sodium-ion designs also avoid cobalt and
nickel.</p>
<h3>The weight problem</h3>
<p>Sodium atoms are heavier and larger than lithium atoms, so a sodium-ion cell stores less
energy for its weight. For a phone or a long-range car that matters a lot; for a battery
that sits in a container next to a solar farm, much less.</p>
<h2>Where you will see them</h2>
<ul>
<li>Stationary storage that smooths out solar and wind power.</li>
<li>Small city cars and two-wheelers, where range needs are modest.</li>
<li>Cold climates: sodium-ion cells tend to keep more capacity below freezing.</li>
</ul>
""",
        "faq": [
            (
                "Will sodium-ion replace lithium-ion?",
                "<p>Not everywhere. Expect the two to coexist, with lithium-ion kept where "
                "weight matters most.</p>",
            ),
            (
                "Are sodium-ion batteries safer?",
                "<p>They can be shipped fully discharged, which simplifies transport, but every "
                "battery chemistry needs careful engineering.</p>",
            ),
        ],
        "sources": [
            ("International Energy Agency", "https://www.iea.org/", "Battery supply outlook"),
            ("Nature Energy", "https://www.nature.com/nenergy/", "Reviews of sodium-ion research"),
        ],
    },
    {
        "slug": "why-ai-chatbots-make-things-up",
        "title": "Why AI chatbots make things up",
        "standfirst": "Language models predict plausible text. Plausible and true are not "
        "the same thing.",
        "author": "maya-okafor",
        "section": "technology",
        "tags": ["AI"],
        "days_ago": 6,
        "hero_alt": "Speech bubbles filled with scattered letters",
        "hero_credit": "Illustration: Smart Chunks",
        "meta_description": "What AI 'hallucinations' are, why language models produce "
        "confident errors, and how to check an answer before you rely on it.",
        "tldr": [
            "Chatbots generate the most plausible next words, not verified facts.",
            "Gaps in training data are filled with confident, fluent guesses.",
            "Grounding answers in retrieved documents reduces, but does not remove, errors.",
            "Ask for sources and check them before relying on an answer.",
            "Precise details such as dates, numbers and citations fail most often.",
        ],
        "body": """
<h2>Prediction, not lookup</h2>
<p>A chatbot does not search a database of facts when it answers. It produces text one
piece at a time, each time choosing a continuation that is likely given everything before
it. Most of the time likely and correct coincide. When they do not, the result is a
fluent, confident error, often called a "hallucination".</p>
<h2>Where errors come from</h2>
<p>Models learn from huge amounts of text, but that text has gaps and contradictions. Asked
about something rare, a model still produces an answer with the shape of a correct one: a
citation with a plausible title, a date in the right decade.</p>
<h3>Why confidence is not a signal</h3>
<p>The tone of an answer says little about its accuracy. Fluency is exactly what the model
was trained for.</p>
<h2>How to use them safely</h2>
<ol>
<li>Ask for sources, then open them.</li>
<li>Treat names, numbers and quotes as claims to verify.</li>
<li>Prefer tools that show the documents an answer was built from.</li>
</ol>
""",
        "faq": [
            (
                "Do newer models hallucinate less?",
                "<p>Generally yes on common questions, but rare facts and precise details "
                "remain weak spots.</p>",
            ),
            (
                "Is a hallucination a bug that can be fixed?",
                "<p>It is a side effect of how these models work, so it can be reduced, "
                "not switched off.</p>",
            ),
        ],
        "sources": [
            ("NIST", "https://www.nist.gov/", "AI risk management framework"),
            ("Stanford HAI", "https://hai.stanford.edu/", "Research on model reliability"),
        ],
    },
]

# Site pages: what readers (and search engines judging trust) look for first.
SITE_PAGES = [
    {
        "slug": "about",
        "title": "About Smart Chunks",
        "description": "Who we are, what a Smart Chunks explainer is, and how we are funded.",
        "footer_position": 1,
        "body": """
<p>Smart Chunks publishes short explainers: one question, answered well, in the time it
takes to drink a coffee. Every explainer opens with a TL;DR, a few sentences that give you
the answer before anything else, and ends with the sources it rests on, so you can check
our work.</p>
<h2>What we cover</h2>
<p>Technology and science, where the news is often a press release and the context is
missing. We explain why something happened, what it means for you, and what is still
unknown, without jargon and without hype.</p>
<h2>Who we are</h2>
<p>A small newsroom of editors and specialist writers. Each explainer carries the name of
the person who wrote it, with their experience and a way to reach them, and is checked by
an editor before it is published.</p>
<h2>How we are funded</h2>
<p>By readers and by sponsorship that is always labelled as such. Sponsors never see an
explainer before it is published and never choose what we write about.</p>
<h2>Contact</h2>
<p>Write to <a href="mailto:newsroom@example.com">newsroom@example.com</a> with questions,
tips or corrections. A person reads every message.</p>
""",
    },
    {
        "slug": "editorial-standards",
        "title": "Editorial standards",
        "description": "Our TL;DR promise, how we choose and cite sources, and how we correct "
        "mistakes.",
        "footer_position": 2,
        "body": """
<p>These are the rules every Smart Chunks explainer follows. If you find one that breaks
them, tell us: <a href="mailto:corrections@example.com">corrections@example.com</a>.</p>
<h2>The TL;DR promise</h2>
<p>The TL;DR at the top of an explainer is the answer, not a teaser. If you read only those
few lines, you will not be misled: nothing further down contradicts or seriously qualifies
them. When the honest answer is "we do not know yet", the TL;DR says so.</p>
<h2>Sources</h2>
<ul>
<li>Every factual claim rests on a source we name, listed at the end of the explainer with
a link wherever one exists.</li>
<li>We prefer primary sources: the study rather than the press release, the filing rather
than the report about it, the person who was there rather than someone who heard.</li>
<li>We do not use anonymous sources for claims readers cannot check elsewhere, and we say why
when we grant a source anonymity at all.</li>
<li>Where experts disagree, we say that they disagree and give each side its strongest
form.</li>
</ul>
<h2>Corrections</h2>
<p>When we get something wrong, we fix it and say so. A correction is shown on the
explainer itself, dated, stating what was wrong and what is right; it is never a silent
edit. Routine updates, such as a new figure or a clearer sentence, are marked "Updated"
with the date.</p>
<h2>Independence</h2>
<p>Writers do not cover companies they hold shares in or have worked for in the last two
years. Sponsored material is labelled and kept apart from our explainers, and no advertiser
or sponsor reviews or approves our journalism.</p>
<h2>Artificial intelligence</h2>
<p>Explainers are researched, written and checked by people. We may use software to
transcribe interviews or to search documents, but a person verifies every fact we
publish.</p>
""",
    },
]
