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
