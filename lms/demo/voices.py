"""What the demo's trainees wrote: answers to reflection prompts and course evaluation comments.

The comments follow the program's published "Voices from the field" (../shared/context/003...) and
what trainees told the Best Starts for Kids case study; each is used once, in its writer's language.
"""

#: language -> (comment, agreed to be quoted), handed out in order to the evaluations written in it.
COMMENTS = {
    "en": [
        ("I learned so many different things about accepting everyone's cultures. We all came from different "
         "backgrounds, which will help us understand our children's cultures.", True),
        ("I like sharing ideas with my colleagues. Together we reflect better, and the ideas we share help us "
         "use different strategies to support children and their families.", True),
        ("This was the first time I was able to be transparent with strangers.", True),
        ("Thank you for having an open dialogue in the group. It feels safe to talk about hard conversations "
         "and it's nice to be heard.", True),
        ("Families are sharing more with us about their concerns for their children. Without that trust they "
         "might never have brought up the subject.", True),
        ("The ECE field is struggling, especially with mental health. We were told we were essential so we "
         "would work through COVID, but now we are forgotten. Please keep this going.", True),
        ("Naming my own biases out loud was uncomfortable, and it changed how I greet the fathers at pick-up.",
         True),
        ("The modules were clear, but I needed more time for the reading at the end of my work day.", False),
        ("I finally have words for the tiredness I bring home, and people who understand it.", True),
        ("Having people to talk to about how this work affects me is why I am still in it.", True),
        ("My mentor spoke Somali with me. I could say what I really meant about the families I visit.", True),
    ],
    "es": [
        ("Aprendí a preguntar primero a las familias qué significa para ellas criar a sus hijos en su cultura, "
         "en lugar de dar consejos.", True),
        ("Por primera vez pude hablar de mi trabajo en mi propio idioma, y me sentí escuchada.", True),
    ],
}

#: (course code, module position) -> language -> answers, handed out in order.
REFLECTIONS = {
    ("BCL-101", 2): {
        "en": [
            "A boy in my toddler room bit two friends on Monday. I felt embarrassed in front of the parents. "
            "Looking back, his baby sister was born last week; I think he was telling us he needs to know he "
            "still matters.",
            "A girl cried every morning at drop-off and I felt impatient. Her family just moved here from "
            "Mogadishu; maybe she was telling me that nothing feels familiar yet, and that I should slow down "
            "the goodbye.",
            "When a child threw the blocks I raised my voice, the way my own teachers did. She was tired and "
            "hungry. Next time I want to name the feeling first.",
            "A four-year-old refused to nap and kept asking for his grandmother. I felt frustrated. I learned "
            "from his mother that his grandmother went back to Ethiopia last month.",
            "I noticed I was quicker to call one boy 'aggressive' than his classmates. That made me stop and "
            "ask whose behaviour I was really reading.",
            "A child hid under the table during circle time. I felt I was failing as a teacher. She may have "
            "been saying the room was too loud for her.",
        ],
        "es": [
            "Una niña no quería soltar la mano de su papá y yo me sentí presionada por el horario. Creo que me "
            "estaba diciendo que todavía no confía en mí, y que necesita tiempo.",
        ],
    },
    ("BCL-102", 0): {"en": [
        "At lunch I praise the quiet children more. I am starting to ask whether 'quiet' is what I learned to "
        "call 'good'.",
        "I expected the Somali boys to be loud and I hear it when I describe them to other teachers. I want "
        "to describe what they do, not what I expect.",
    ]},
    ("BCL-102", 2): {"en": [
        "A mother wanted her son to eat with his hands, as at home; I had been correcting him. We agreed he "
        "can do both, and she told me about her village for the first time.",
        "I used to send the newsletter only in English. Now a parent translates it with me, and twice as many "
        "families came to the picnic.",
    ]},
    ("BCL-103", 0): {"en": [
        "My shoulders are tight by Thursday and I stop answering my sister's calls. That is my sign.",
        "After a hard home visit I sit in the car for five minutes before the next one. I used to feel guilty "
        "about it; now I plan it.",
    ]},
}
