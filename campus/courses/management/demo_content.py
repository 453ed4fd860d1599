"""The demo's people and courses, in French. Pure data: `commands/demo.py` feeds it to
the services. Offsets are in days relative to the moment the demo is built."""

from dataclasses import dataclass, field

from campus.courses.models import CourseType

DEMO_DOMAIN = "demo.campus.local"
DEMO_PASSWORD = "campus-demo"  # noqa: S105 - printed demo data, not a secret


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str


@dataclass(frozen=True)
class LessonSpec:
    title: str
    body: str = ""
    video_url: str = ""
    duration_minutes: int = 15


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    choices: tuple[str, ...]
    correct: tuple[int, ...]
    points: int = 1


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    description: str
    lessons: tuple[LessonSpec, ...]
    quiz: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class CourseSpec:
    title: str
    description: str
    instructor: int  # index into INSTRUCTORS
    modules: tuple[ModuleSpec, ...]
    final: tuple[QuestionSpec, ...]
    course_type: str = CourseType.ON_DEMAND
    max_students: int | None = None
    start_in_days: int = 0
    end_in_days: int = 60
    deadline_in_days: int = 30
    final_due_in_days: int = 75
    publish: bool = True
    # Students (indexes into STUDENTS) and the progress each one has reached.
    enrollments: dict[int, str] = field(default_factory=dict)


ADMIN = Person("Mireille", "Agbo")
INSTRUCTORS = (Person("Aïcha", "Houngbédji"), Person("Romuald", "Agossou"))
STUDENTS = (
    Person("Koffi", "Adjovi"),
    Person("Afiavi", "Dossou"),
    Person("Mawuli", "Ahouansou"),
    Person("Sènan", "Gbaguidi"),
    Person("Chimène", "Hounkpatin"),
    Person("Rodrigue", "Tchibozo"),
    Person("Nadège", "Zinsou"),
    Person("Fiacre", "Azonhiho"),
    Person("Estelle", "Kpadonou"),
    Person("Gildas", "Amoussou"),
    Person("Bénédicte", "Sossou"),
    Person("Jean-Baptiste", "Akplogan"),
    Person("Prudence", "Dansou"),
    Person("Olivier", "Lemaire"),
    Person("Claire", "Dubois"),
    Person("Mathieu", "Bernard"),
    Person("Fatoumata", "Bio"),
    Person("Ibrahim", "Sanni"),
    Person("Rachida", "Orou"),
    Person("Hermann", "Capo-Chichi"),
)

# Progress levels, from nothing to a completed course (see commands/demo.py).
NONE, STARTED, HALF, ALL_LESSONS, FINAL_FAILED, COMPLETED, LEFT = (
    "none",
    "started",
    "half",
    "all_lessons",
    "final_failed",
    "completed",
    "left",
)

VIDEO_BASE = f"https://videos.{DEMO_DOMAIN}"

PYTHON = CourseSpec(
    title="Introduction à Python",
    description=(
        "Apprenez à programmer avec Python, pas à pas : variables, conditions, boucles, "
        "fonctions et modules. Chaque module se termine par un quiz, et une évaluation "
        "finale valide le cours. Aucun prérequis : un ordinateur et de la curiosité suffisent."
    ),
    instructor=0,
    start_in_days=-21,
    end_in_days=60,
    deadline_in_days=30,
    final_due_in_days=70,
    modules=(
        ModuleSpec(
            title="Premiers pas",
            description="Installer Python, écrire et exécuter son premier programme.",
            lessons=(
                LessonSpec(
                    "Pourquoi Python ?",
                    body=(
                        "## Un langage pour commencer… et pour durer\n\n"
                        "Python est un langage **lisible**, gratuit et utilisé partout : "
                        "sites web, analyse de données, automatisation, intelligence "
                        "artificielle.\n\n"
                        "Dans ce cours, vous apprendrez à :\n\n"
                        "- écrire des programmes simples et les exécuter ;\n"
                        "- manipuler des nombres, du texte et des listes ;\n"
                        "- découper votre code en fonctions réutilisables.\n\n"
                        "Comptez environ trois heures par semaine."
                    ),
                    duration_minutes=10,
                ),
                LessonSpec(
                    "Installer Python et VS Code",
                    video_url=f"{VIDEO_BASE}/python/installer-python.mp4",
                    duration_minutes=12,
                ),
                LessonSpec(
                    "Variables et types de base",
                    body=(
                        "## Ranger des valeurs\n\n"
                        "Une variable est un nom qui désigne une valeur :\n\n"
                        "```python\n"
                        'ville = "Porto-Novo"\n'
                        "habitants = 264320\n"
                        "superficie_km2 = 110.0\n"
                        "print(ville, habitants / superficie_km2)\n"
                        "```\n\n"
                        "Les types les plus courants sont `int` (entiers), `float` "
                        "(décimaux), `str` (texte) et `bool` (`True` ou `False`). "
                        "La fonction `type()` indique le type d'une valeur."
                    ),
                    duration_minutes=20,
                ),
            ),
            quiz=(
                QuestionSpec("Quel est le type de la valeur 3.5 ?", ("int", "float", "str"), (1,)),
                QuestionSpec(
                    "Quelle instruction affiche un texte à l'écran ?",
                    ('print("Bonjour")', 'echo "Bonjour"', 'afficher("Bonjour")'),
                    (0,),
                ),
            ),
        ),
        ModuleSpec(
            title="Conditions et boucles",
            description="Faire des choix et répéter des actions.",
            lessons=(
                LessonSpec(
                    "Les conditions : if, elif, else",
                    body=(
                        "## Décider\n\n"
                        "```python\n"
                        "note = 14\n"
                        "if note >= 16:\n"
                        '    print("Très bien")\n'
                        "elif note >= 10:\n"
                        '    print("Admis")\n'
                        "else:\n"
                        '    print("À retravailler")\n'
                        "```\n\n"
                        "L'**indentation** (quatre espaces) délimite les blocs : "
                        "c'est elle qui indique ce qui dépend de la condition."
                    ),
                    duration_minutes=15,
                ),
                LessonSpec(
                    "Les boucles for et while",
                    video_url=f"{VIDEO_BASE}/python/boucles.mp4",
                    duration_minutes=18,
                ),
                LessonSpec(
                    "Exercice : la table de multiplication",
                    body=(
                        "## À vous de jouer\n\n"
                        "Écrivez un programme qui demande un nombre avec `input()` puis "
                        "affiche sa table de multiplication de 1 à 10.\n\n"
                        '*Indice :* `int(input("Nombre : "))` convertit la saisie en '
                        "entier, et `range(1, 11)` parcourt les nombres de 1 à 10."
                    ),
                    duration_minutes=25,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Combien de fois la boucle `for i in range(3)` s'exécute-t-elle ?",
                    ("2", "3", "4"),
                    (1,),
                ),
                QuestionSpec(
                    "Quels mots-clés servent à écrire une condition ?",
                    ("if", "elif", "loop", "else"),
                    (0, 1, 3),
                ),
            ),
        ),
        ModuleSpec(
            title="Fonctions et modules",
            description="Découper son code et réutiliser celui des autres.",
            lessons=(
                LessonSpec(
                    "Écrire ses propres fonctions",
                    body=(
                        "## Nommer une suite d'instructions\n\n"
                        "```python\n"
                        "def prix_ttc(prix_ht: float, tva: float = 0.18) -> float:\n"
                        "    return round(prix_ht * (1 + tva), 2)\n\n"
                        "print(prix_ttc(10000))  # 11800.0\n"
                        "```\n\n"
                        "Une fonction reçoit des **paramètres**, peut avoir des valeurs "
                        "par défaut et renvoie un résultat avec `return`."
                    ),
                    duration_minutes=20,
                ),
                LessonSpec(
                    "La bibliothèque standard",
                    video_url=f"{VIDEO_BASE}/python/bibliotheque-standard.mp4",
                    duration_minutes=14,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Quel mot-clé définit une fonction ?", ("func", "def", "function"), (1,)
                ),
                QuestionSpec(
                    "Comment importer le module des dates ?",
                    ("import datetime", "include datetime", "using datetime"),
                    (0,),
                ),
            ),
        ),
    ),
    final=(
        QuestionSpec('Que vaut `len("Bénin")` ?', ("4", "5", "6"), (1,), points=2),
        QuestionSpec(
            "Quelle structure stocke une suite ordonnée et modifiable ?",
            ("une liste", "un tuple", "une chaîne"),
            (0,),
            points=2,
        ),
        QuestionSpec("Que renvoie `10 // 3` ?", ("3", "3.33", "1"), (0,)),
        QuestionSpec(
            "Quelles valeurs sont considérées comme fausses dans un `if` ?",
            ("0", '"" (chaîne vide)', '"0"', "[] (liste vide)"),
            (0, 1, 3),
            points=2,
        ),
    ),
    enrollments={
        0: COMPLETED,
        1: COMPLETED,
        2: FINAL_FAILED,
        3: ALL_LESSONS,
        4: HALF,
        5: HALF,
        6: STARTED,
        7: STARTED,
        8: NONE,
        9: COMPLETED,
        10: HALF,
        11: STARTED,
        12: NONE,
        13: LEFT,
        15: COMPLETED,
        16: COMPLETED,
    },
)

AGILE = CourseSpec(
    title="Gestion de projet agile",
    description=(
        "Les méthodes agiles pour livrer plus tôt et plus souvent : le Manifeste agile, "
        "Scrum, Kanban et l'amélioration continue, avec des exemples tirés de projets "
        "d'entreprises et d'ONG en Afrique de l'Ouest."
    ),
    instructor=1,
    course_type=CourseType.LIVE,
    max_students=30,
    start_in_days=-10,
    end_in_days=45,
    deadline_in_days=14,
    final_due_in_days=50,
    modules=(
        ModuleSpec(
            title="Les fondements de l'agilité",
            description="Valeurs, principes et différences avec le cycle en V.",
            lessons=(
                LessonSpec(
                    "Le Manifeste agile",
                    body=(
                        "## Quatre valeurs\n\n"
                        "1. Les individus et leurs interactions plus que les processus et "
                        "les outils ;\n"
                        "2. Des logiciels opérationnels plus qu'une documentation "
                        "exhaustive ;\n"
                        "3. La collaboration avec les clients plus que la négociation "
                        "contractuelle ;\n"
                        "4. L'adaptation au changement plus que le suivi d'un plan.\n\n"
                        "Les éléments de droite ont de la valeur, mais ceux de gauche en "
                        "ont davantage."
                    ),
                    duration_minutes=12,
                ),
                LessonSpec(
                    "Agile ou cycle en V ?",
                    video_url=f"{VIDEO_BASE}/agile/agile-ou-cycle-en-v.mp4",
                    duration_minutes=16,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Combien de valeurs compte le Manifeste agile ?", ("3", "4", "12"), (1,)
                ),
                QuestionSpec(
                    "Que privilégie l'agilité ?",
                    (
                        "L'adaptation au changement",
                        "Le respect strict du plan initial",
                        "La collaboration avec le client",
                    ),
                    (0, 2),
                ),
            ),
        ),
        ModuleSpec(
            title="Scrum en pratique",
            description="Rôles, événements et artefacts de Scrum.",
            lessons=(
                LessonSpec(
                    "Les rôles : Product Owner, Scrum Master, équipe",
                    body=(
                        "## Trois responsabilités\n\n"
                        "- Le **Product Owner** ordonne le backlog et maximise la valeur "
                        "du produit.\n"
                        "- Le **Scrum Master** aide l'équipe à appliquer Scrum et lève "
                        "les obstacles.\n"
                        "- Les **développeurs** transforment les éléments du backlog en "
                        "incréments utilisables à chaque sprint."
                    ),
                    duration_minutes=15,
                ),
                LessonSpec(
                    "Le sprint et ses événements",
                    video_url=f"{VIDEO_BASE}/agile/sprint.mp4",
                    duration_minutes=20,
                ),
                LessonSpec(
                    "Écrire de bonnes user stories",
                    body=(
                        "## En tant que…, je veux…, afin de…\n\n"
                        "> En tant que **commerçante à Dantokpa**, je veux **recevoir "
                        "une alerte quand un produit est en rupture**, afin de **"
                        "commander à temps**.\n\n"
                        "Une bonne story est indépendante, négociable, utile, estimable, "
                        "petite et testable (INVEST). Ajoutez-lui des critères "
                        "d'acceptation précis."
                    ),
                    duration_minutes=18,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Qui ordonne le backlog produit ?",
                    ("Le Scrum Master", "Le Product Owner", "Le directeur"),
                    (1,),
                ),
                QuestionSpec(
                    "Quelle est la durée maximale d'un sprint ?",
                    ("Une semaine", "Un mois", "Trois mois"),
                    (1,),
                ),
            ),
        ),
        ModuleSpec(
            title="Kanban et amélioration continue",
            description="Visualiser le flux, limiter le travail en cours, s'améliorer.",
            lessons=(
                LessonSpec(
                    "Le tableau Kanban",
                    body=(
                        "## Rendre le travail visible\n\n"
                        "Un tableau Kanban a des colonnes (*À faire*, *En cours*, "
                        "*Terminé*) et une **limite de travail en cours** par colonne. "
                        "Quand une colonne est pleine, on termine avant de commencer."
                    ),
                    duration_minutes=12,
                ),
                LessonSpec(
                    "Animer une rétrospective",
                    video_url=f"{VIDEO_BASE}/agile/retrospective.mp4",
                    duration_minutes=22,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "À quoi sert une limite de travail en cours ?",
                    (
                        "À finir avant de commencer",
                        "À occuper chacun à 100 %",
                        "À réduire le temps de traversée",
                    ),
                    (0, 2),
                ),
            ),
        ),
    ),
    final=(
        QuestionSpec(
            "Quel événement Scrum sert à inspecter l'incrément avec les parties prenantes ?",
            ("La revue de sprint", "La mêlée quotidienne", "La rétrospective"),
            (0,),
            points=2,
        ),
        QuestionSpec(
            "Une user story doit être…",
            ("testable", "la plus grosse possible", "indépendante"),
            (0, 2),
            points=2,
        ),
        QuestionSpec("Kanban impose des sprints de durée fixe.", ("Vrai", "Faux"), (1,)),
    ),
    enrollments={
        0: COMPLETED,
        6: ALL_LESSONS,
        7: HALF,
        8: STARTED,
        9: HALF,
        14: COMPLETED,
        15: STARTED,
        16: NONE,
        17: FINAL_FAILED,
        18: LEFT,
        19: COMPLETED,
    },
)

MARKETING = CourseSpec(
    title="Marketing digital pour PME",
    description=(
        "Attirer et fidéliser des clients en ligne avec un petit budget : définir sa "
        "cible, choisir ses réseaux sociaux, tenir un calendrier éditorial, utiliser "
        "WhatsApp Business et mesurer ce qui marche."
    ),
    instructor=0,
    max_students=40,
    start_in_days=5,
    end_in_days=50,
    deadline_in_days=4,
    final_due_in_days=55,
    modules=(
        ModuleSpec(
            title="Stratégie digitale",
            description="Savoir à qui l'on parle et ce que l'on veut obtenir.",
            lessons=(
                LessonSpec(
                    "Construire son persona",
                    body=(
                        "## Qui est votre client idéal ?\n\n"
                        "Un persona décrit un client type : âge, métier, ville, "
                        "habitudes en ligne, besoins et freins. Exemple : *Édith, "
                        "34 ans, gérante d'un salon de coiffure à Cotonou, active sur "
                        "WhatsApp et Facebook, cherche à remplir ses matinées.*"
                    ),
                    duration_minutes=15,
                ),
                LessonSpec(
                    "Des objectifs SMART",
                    body=(
                        "## Spécifiques, mesurables, atteignables, réalistes, temporels\n\n"
                        "« Avoir plus de clients » n'est pas un objectif. « Obtenir 30 "
                        "rendez-vous par WhatsApp en mars » en est un."
                    ),
                    duration_minutes=10,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Que signifie le M de SMART ?", ("Motivant", "Mesurable", "Modeste"), (1,)
                ),
            ),
        ),
        ModuleSpec(
            title="Réseaux sociaux et contenu",
            description="Publier régulièrement là où sont vos clients.",
            lessons=(
                LessonSpec(
                    "WhatsApp Business et Facebook",
                    video_url=f"{VIDEO_BASE}/marketing/whatsapp-business.mp4",
                    duration_minutes=20,
                ),
                LessonSpec(
                    "Le calendrier éditorial",
                    body=(
                        "## Prévoir plutôt que subir\n\n"
                        "Planifiez un mois de publications : un thème par semaine, trois "
                        "publications, une offre. Alternez conseils, coulisses, "
                        "témoignages clients et promotions."
                    ),
                    duration_minutes=15,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Quels contenus alterner dans un calendrier éditorial ?",
                    ("Conseils", "Témoignages clients", "Uniquement des promotions"),
                    (0, 1),
                ),
            ),
        ),
        ModuleSpec(
            title="Mesurer et optimiser",
            description="Suivre quelques indicateurs et ajuster.",
            lessons=(
                LessonSpec(
                    "Les indicateurs qui comptent",
                    body=(
                        "## Peu d'indicateurs, bien suivis\n\n"
                        "- la portée et l'engagement de vos publications ;\n"
                        "- le nombre de messages reçus ;\n"
                        "- le taux de conversion (messages → ventes) ;\n"
                        "- le coût par client acquis quand vous payez de la publicité."
                    ),
                    duration_minutes=12,
                ),
                LessonSpec(
                    "Découvrir Google Analytics",
                    video_url=f"{VIDEO_BASE}/marketing/google-analytics.mp4",
                    duration_minutes=18,
                ),
            ),
            quiz=(
                QuestionSpec(
                    "Le taux de conversion mesure…",
                    ("le nombre d'abonnés", "la part des contacts qui achètent"),
                    (1,),
                ),
            ),
        ),
    ),
    final=(
        QuestionSpec(
            "Un persona est…",
            ("un client type décrit en détail", "un logiciel de publicité"),
            (0,),
        ),
        QuestionSpec(
            "Quel objectif est SMART ?",
            ("Être connu", "Obtenir 30 rendez-vous par WhatsApp en mars"),
            (1,),
        ),
    ),
    enrollments={1: STARTED, 3: NONE, 10: STARTED, 11: NONE, 19: NONE, 4: NONE},
)

EXCEL_DRAFT = CourseSpec(
    title="Excel pour la gestion (brouillon)",
    description="Tableaux, formules et tableaux croisés dynamiques pour piloter une activité.",
    instructor=1,
    publish=False,
    start_in_days=30,
    end_in_days=90,
    deadline_in_days=28,
    final_due_in_days=95,
    modules=(
        ModuleSpec(
            title="Les formules essentielles",
            description="SOMME, MOYENNE, SI et RECHERCHEV.",
            lessons=(
                LessonSpec(
                    "SOMME, MOYENNE et SI",
                    body="## Calculer sans se tromper\n\nÀ compléter.",
                    duration_minutes=15,
                ),
            ),
            quiz=(QuestionSpec("Quelle formule additionne ?", ("SOMME", "SI"), (0,)),),
        ),
    ),
    final=(),
)

COURSES = (PYTHON, AGILE, MARKETING, EXCEL_DRAFT)

# --- Live classes (issue 4) -----------------------------------------------------------
#
# Three sessions of the Python course: one live now, one tomorrow evening, one two days
# ago with attendance and a recording. Times are in the platform's home time zone.

LIVE, UPCOMING, PAST = "live", "upcoming", "past"


@dataclass(frozen=True)
class Attendance:
    student: int  # index into STUDENTS (enrolled in the course)
    # Minutes after the actual start: (joined, left) pairs; left None = still there.
    stays: tuple[tuple[int, int | None], ...]


@dataclass(frozen=True)
class QA:
    student: int
    question: str
    answer: str


@dataclass(frozen=True)
class LiveSpec:
    title: str
    description: str
    state: str  # LIVE, UPCOMING or PAST
    length_minutes: int
    # LIVE: started this many minutes ago. UPCOMING/PAST: that day (relative) at that
    # local time (hour, minute) in settings.DEFAULT_USER_TIME_ZONE.
    started_minutes_ago: int = 0
    day: int = 0
    at: tuple[int, int] = (18, 0)
    max_participants: int = 30
    is_recording_enabled: bool = False
    recording_url: str = ""
    attendance: tuple[Attendance, ...] = ()
    questions: tuple[QA, ...] = ()


LIVE_COURSE = PYTHON  # taught by INSTRUCTORS[0], many active students
LIVE_SESSIONS = (
    LiveSpec(
        title="Atelier : les listes en pratique",
        description=(
            "Exercices en direct sur les listes : ajouter, trier, parcourir. Gardez "
            "VS Code ouvert et posez vos questions dans l'onglet Questions."
        ),
        state=LIVE,
        length_minutes=90,
        started_minutes_ago=15,
        attendance=(Attendance(0, ((1, None),)), Attendance(1, ((4, None),))),
        questions=(
            QA(
                0,
                "Quelle est la différence entre une liste et un tuple ?",
                "Une liste se modifie (append, tri…), un tuple non : on l'utilise pour "
                "des valeurs fixes, comme des coordonnées.",
            ),
            QA(
                1,
                "Peut-on trier une liste de mots sans tenir compte des majuscules ?",
                "Oui : sorted(mots, key=str.lower).",
            ),
        ),
    ),
    LiveSpec(
        title="Questions-réponses : les fonctions",
        description=(
            "Séance ouverte avant le quiz du module 3 : apportez vos questions sur "
            "def, return et les paramètres."
        ),
        state=UPCOMING,
        length_minutes=60,
        day=1,
        at=(18, 0),
    ),
    LiveSpec(
        title="Correction du quiz « Premiers pas »",
        description="Correction commentée du premier quiz et des erreurs les plus fréquentes.",
        state=PAST,
        length_minutes=75,
        day=-2,
        at=(18, 0),
        is_recording_enabled=True,
        recording_url=f"{VIDEO_BASE}/python/live-correction-premiers-pas.mp4",
        attendance=(
            Attendance(0, ((0, 75),)),
            Attendance(1, ((3, 70),)),
            Attendance(2, ((10, 35), (45, 75))),
            Attendance(3, ((20, 50),)),
            Attendance(4, ((2, 25),)),
        ),
    ),
)

# --- Forum (issue 12) -----------------------------------------------------------------
#
# Topics of the Python course's forum and one of the agile course's, posted through the
# services as if over the past days (each topic on a past day, at a local time in
# settings.DEFAULT_USER_TIME_ZONE, its thread within that day): a pinned announcement by
# the instructor, a question
# with an accepted solution, discussions with nested replies and votes, and a recent
# question nobody has answered yet. STUDENTS[0] (Koffi) takes no part, so his inbox holds
# only the live classes' notices.

OWNER = -1  # in forum specs: the course's instructor (other numbers index STUDENTS)


@dataclass(frozen=True)
class ReplySpec:
    author: int  # OWNER or an index into STUDENTS (an active member of the course)
    content: str
    minutes: int  # after the topic was posted (replies come after their parent)
    replies: tuple["ReplySpec", ...] = ()  # answers to this reply
    up: tuple[int, ...] = ()  # who votes for it (OWNER or STUDENTS indexes)
    down: tuple[int, ...] = ()
    solution: bool = False  # accepted by the topic's author


@dataclass(frozen=True)
class TopicSpec:
    author: int
    title: str
    content: str
    day: int  # relative to today (negative: in the past)
    at: tuple[int, int]  # local time (hour, minute)
    replies: tuple[ReplySpec, ...] = ()
    pinned: bool = False
    readers: tuple[int, ...] = ()  # students who opened it (its view count)


# A reply the course's members reported (issue 13): the instructor's queue shows it.
SOLD_ANSWERS = (
    "Je vends les corrigés de tous les quiz et de l'évaluation finale : 2 000 F CFA, "
    "écrivez-moi sur WhatsApp."
)

PYTHON_TOPICS = (
    TopicSpec(
        author=OWNER,
        title="Bienvenue ! À lire avant de poster",
        content=(
            "Bienvenue dans le forum du cours **Introduction à Python** !\n\n"
            "Quelques règles pour que chacun trouve vite de l'aide :\n\n"
            "1. Cherchez d'abord si votre question a déjà été posée.\n"
            "2. Un sujet par question, avec un titre précis (« IndentationError dans ma "
            "boucle » plutôt que « Aidez-moi »).\n"
            "3. Pour garder l'indentation, collez votre code entre deux lignes de trois "
            "accents graves, la première suivie du mot `python` :\n\n"
            "```python\n"
            "for prenom in ['Afiavi', 'Mawuli']:\n"
            "    print(f'Bonjour {prenom} !')\n"
            "```\n\n"
            "4. Quand une réponse résout votre problème, marquez-la comme **solution** : "
            "elle aidera les suivants.\n\n"
            "Je passe sur le forum chaque soir. Bon apprentissage !"
        ),
        day=-20,
        at=(8, 0),
        pinned=True,
        readers=(1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 15, 16),
        replies=(
            ReplySpec(12, "Merci pour ces consignes, c'est très clair !", minutes=300, up=(4,)),
        ),
    ),
    TopicSpec(
        author=2,
        title="IndentationError dans ma boucle for",
        content=(
            "Bonjour à tous,\n\n"
            "Mon exercice sur les boucles s'arrête avec cette erreur :\n"
            "`IndentationError: unindent does not match any outer indentation level`.\n\n"
            "Pourtant tout me semble aligné :\n\n"
            "```python\n"
            "notes = [12, 15, 9]\n"
            "for note in notes:\n"
            "    if note >= 10:\n"
            '        print("Admis")\n'
            "     else:\n"
            '        print("Ajourné")\n'
            "```\n\n"
            "Qu'est-ce que j'ai raté ?"
        ),
        day=-6,
        at=(19, 30),
        readers=(1, 3, 4, 5, 6, 10, 15),
        replies=(
            ReplySpec(
                5,
                "Chez moi ça marche avec des tabulations : remplace tous tes espaces par "
                "des tabulations.",
                minutes=35,
                down=(1, 3),
                replies=(
                    ReplySpec(
                        OWNER,
                        "Attention : la convention de Python (PEP 8) est de **4 espaces** "
                        "par niveau. Les tabulations marchent si on n'utilise qu'elles, "
                        "mais leur mélange avec des espaces est la première cause de cette "
                        "erreur. Réglez plutôt votre éditeur pour insérer des espaces.",
                        minutes=70,
                        up=(2, 5),
                    ),
                ),
            ),
            ReplySpec(
                1,
                "Regarde la ligne du `else` : elle a **un espace de trop** (5 au lieu de 4). "
                "Le `else` doit être exactement au niveau du `if` auquel il répond :\n\n"
                "```python\n"
                "for note in notes:\n"
                "    if note >= 10:\n"
                '        print("Admis")\n'
                "    else:\n"
                '        print("Ajourné")\n'
                "```\n\n"
                "Astuce : dans VS Code, *Affichage → Afficher les espaces* rend les espaces "
                "visibles.",
                minutes=50,
                up=(2, 3, 4, 6, 15),
                solution=True,
                replies=(
                    ReplySpec(
                        2,
                        "C'était exactement ça, merci Afiavi ! Je marque ta réponse comme "
                        "solution.",
                        minutes=95,
                        up=(1,),
                        replies=(
                            ReplySpec(
                                OWNER,
                                "Bravo à vous deux. Pour aller plus loin, "
                                "`python -m tabnanny mon_fichier.py` signale les "
                                "indentations ambiguës d'un fichier.",
                                minutes=140,
                                up=(1, 2, 10),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    TopicSpec(
        author=4,
        title="Quelle différence entre append et extend ?",
        content=(
            "Dans la leçon sur les listes on utilise `append`, mais j'ai vu `extend` dans "
            "un tutoriel. J'ai essayé :\n\n"
            "```python\n"
            'fruits = ["mangue", "ananas"]\n'
            'fruits.append(["papaye", "orange"])\n'
            "print(fruits)\n"
            "```\n\n"
            "et j'obtiens une liste *dans* la liste. C'est normal ?"
        ),
        day=-3,
        at=(20, 15),
        readers=(1, 5, 6, 10, 15, 16),
        replies=(
            ReplySpec(
                6,
                "Oui, c'est normal : `append` ajoute **un seul** élément (ici, toute la "
                "liste), alors que `extend` ajoute les éléments **un par un** :\n\n"
                "```python\n"
                'fruits = ["mangue", "ananas"]\n'
                'fruits.extend(["papaye", "orange"])\n'
                "print(fruits)  # ['mangue', 'ananas', 'papaye', 'orange']\n"
                "```",
                minutes=40,
                up=(4, 5, 10, 16),
                replies=(
                    ReplySpec(
                        4,
                        'Merci ! Et `fruits + ["papaye"]`, c\'est pareil ?',
                        minutes=75,
                        replies=(
                            ReplySpec(
                                OWNER,
                                "Presque : `+` crée une **nouvelle** liste et laisse `fruits` "
                                "inchangée, tandis que `extend` modifie la liste existante. "
                                "On en reparle à l'atelier sur les listes.",
                                minutes=120,
                                up=(4, 6),
                            ),
                        ),
                    ),
                ),
            ),
            ReplySpec(
                15,
                'Petite astuce : `fruits += ["papaye"]` fait la même chose qu\'`extend`.',
                minutes=200,
                up=(6,),
            ),
        ),
    ),
    TopicSpec(
        author=5,
        title="Partagez vos mini-projets !",
        content=(
            "J'ouvre ce sujet pour qu'on partage nos petits programmes. Moi, j'ai fait un "
            "convertisseur de francs CFA en euros (1 € = 655,957 F CFA) :\n\n"
            "```python\n"
            "TAUX = 655.957\n"
            'montant = float(input("Montant en F CFA : "))\n'
            'print(f"{montant / TAUX:.2f} €")\n'
            "```\n\n"
            "À vous !"
        ),
        day=-2,
        at=(12, 30),
        readers=(1, 2, 4, 7, 10, 12, 16),
        replies=(
            ReplySpec(
                7,
                "Un jeu du nombre mystère :\n\n"
                "```python\n"
                "import random\n\n"
                "mystere = random.randint(1, 100)\n"
                "essai = None\n"
                "while essai != mystere:\n"
                '    essai = int(input("Votre nombre : "))\n'
                "    if essai < mystere:\n"
                '        print("C\'est plus !")\n'
                "    elif essai > mystere:\n"
                '        print("C\'est moins !")\n'
                'print("Bravo !")\n'
                "```",
                minutes=90,
                up=(5, 10, 12, 16),
                replies=(
                    ReplySpec(
                        10,
                        "Super ! J'ai ajouté un compteur d'essais avec `essais += 1` dans la "
                        "boucle, le jeu devient plus motivant.",
                        minutes=180,
                        up=(7,),
                        replies=(
                            ReplySpec(
                                7,
                                "Bonne idée, je l'ajoute. On pourrait aussi limiter la partie "
                                "à 7 essais.",
                                minutes=240,
                            ),
                        ),
                    ),
                ),
            ),
            ReplySpec(
                16,
                "J'ai écrit un programme qui calcule la moyenne de mes notes avec "
                "`sum(notes) / len(notes)`. C'était mon tout premier programme, merci !",
                minutes=600,
                up=(5,),
            ),
            ReplySpec(12, SOLD_ANSWERS, minutes=660),  # reported (REPORTS below)
        ),
    ),
    TopicSpec(
        author=11,
        title="Le quiz du module 2 compte-t-il pour le certificat ?",
        content=(
            "Bonjour,\n\n"
            "Je n'ai pas encore fait le quiz « Conditions et boucles ». Est-ce que sa note "
            "compte pour le certificat, ou seulement l'évaluation finale ? Et peut-on le "
            "repasser en cas d'échec ?\n\n"
            "Merci d'avance."
        ),
        day=-1,
        at=(21, 40),
        readers=(3, 6),
    ),
)

AGILE_TOPICS = (
    TopicSpec(
        author=14,
        title="Daily scrum à distance avec une connexion instable",
        content=(
            "Dans mon ONG, l'équipe est répartie entre Cotonou, Parakou et Lomé, et la "
            "connexion coupe souvent pendant le daily. Comment faites-vous pour garder une "
            "réunion de **15 minutes** efficace ?"
        ),
        day=-4,
        at=(7, 45),
        readers=(6, 7, 9, 15, 19),
        replies=(
            ReplySpec(
                6,
                "Chez nous, chacun poste ses trois réponses par écrit avant 9 h :\n\n"
                "- ce que j'ai fait hier ;\n"
                "- ce que je fais aujourd'hui ;\n"
                "- ce qui me bloque.\n\n"
                "L'appel ne sert plus qu'aux blocages : 5 minutes, même en audio seul.",
                minutes=120,
                up=(14, 9, 19),
                replies=(
                    ReplySpec(
                        14,
                        "Très bonne idée, on essaie dès demain. Vous coupez la vidéo ?",
                        minutes=200,
                        replies=(
                            ReplySpec(
                                OWNER,
                                "Oui : l'audio seul consomme beaucoup moins de données. Gardez "
                                "le tableau Kanban partagé comme support commun : on parle des "
                                "cartes, pas des personnes.",
                                minutes=260,
                                up=(6, 14, 19),
                            ),
                        ),
                    ),
                ),
            ),
            ReplySpec(
                19,
                "Nous enregistrons aussi un court message vocal quand quelqu'un n'a pas pu se "
                "connecter : personne ne reste sans nouvelles.",
                minutes=400,
                up=(14,),
            ),
        ),
    ),
)

FORUMS = ((PYTHON, PYTHON_TOPICS), (AGILE, AGILE_TOPICS))

# (course, the reported reply's content, (reporter STUDENTS index, reason), ...): open
# reports waiting in the instructor's queue.
REPORTS = (
    (
        PYTHON,
        SOLD_ANSWERS,
        (
            (5, "Vente de corrigés : c'est de la triche, et ce n'est pas le sujet."),
            (16, "Publicité pour acheter les réponses des quiz."),
        ),
    ),
)

# --- Reviews and certificates (issue 12) ----------------------------------------------
#
# Students who completed a course review it; the instructor approves the reviews meant to
# be shown (RATINGS_MODERATION=pre) and leaves one waiting. Two of them then get their
# certificate. STUDENTS[0] (Koffi) completed two courses and has neither a review nor a
# certificate yet: the rating-then-certificate flow is his to try.


@dataclass(frozen=True)
class ReviewSpec:
    student: int  # an index into STUDENTS whose enrollment in the course is completed
    stars: int
    comment: str
    pros: str = ""
    cons: str = ""
    would_recommend: bool = True
    is_anonymous: bool = False
    approved: bool = True  # False: left waiting for the instructor's moderation
    certificate: bool = False  # the student then gets the course's certificate


REVIEWS = (
    (
        PYTHON,
        (
            ReviewSpec(
                1,
                5,
                "Cours très clair et progressif, avec des exemples concrets. Les ateliers en "
                "direct m'ont permis de poser mes questions sans attendre. Je le recommande "
                "à tous ceux qui débutent.",
                pros="Les corrections en direct ; un quiz après chaque module.",
                cons="J'aurais aimé plus d'exercices sur les fichiers.",
                certificate=True,
            ),
            ReviewSpec(
                15,
                4,
                "Bonne introduction, à un rythme adapté quand on travaille le soir. La vidéo "
                "d'installation m'a fait gagner beaucoup de temps.",
                cons="Le module sur les fonctions va un peu vite.",
            ),
            ReviewSpec(
                16,
                3,
                "Contenu utile, mais les vidéos sont lourdes à charger avec ma connexion "
                "mobile. Les leçons écrites, elles, se lisent très bien sur téléphone.",
                pros="Les leçons écrites et les exemples de code.",
                cons="Des vidéos plus légères, ou téléchargeables, seraient bienvenues.",
            ),
            ReviewSpec(
                9,
                4,
                "Très bon cours pour débuter. L'évaluation finale est exigeante mais juste.",
                approved=False,
            ),
        ),
    ),
    (
        AGILE,
        (
            ReviewSpec(
                14,
                5,
                "Enfin des exemples tirés de vrais projets d'ONG ! J'applique déjà le Kanban "
                "avec mon équipe, et nos réunions sont deux fois plus courtes.",
                pros="Les cas pratiques ouest-africains ; les modèles de tableaux.",
                certificate=True,
            ),
            ReviewSpec(
                19,
                4,
                "Très concret. Les sessions en direct tombaient parfois pendant mes heures de "
                "travail, mais les notes de cours sont complètes.",
                is_anonymous=True,
            ),
        ),
    ),
)
