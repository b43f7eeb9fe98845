// Hand-kept lists: add to them as new common passwords are published; the rule is in PasswordHasher.problem.
/// Common passwords refused for new passwords (OWASP ASVS 4.0 requirement 2.1.7: check new passwords
/// against a list of breached or common ones). The list is compiled into the appliance, so it is on the
/// box with no network. Written from public knowledge of the most common passwords in published
/// breach-frequency lists, plus words a care home reaches for; not copied from any one list.
enum CommonPasswords {
    /// Refused when a password, lower-cased and with digits and symbols at its ends removed, is one of these.
    static let bases: Set<String> = [
        "password", "passw0rd", "p@ssword", "p@ssw0rd", "pass", "pa55word", "qwerty", "qwertyuiop",
        "qwertyuiop123", "asdfgh", "asdfghjkl", "zxcvbnm", "qazwsx", "qwertz", "azerty", "iloveyou",
        "letmein", "welcome", "welcome1", "admin", "administrator", "root", "login", "abc",
        "abcdef", "abcdefg", "abcdefgh", "abc123", "monkey", "dragon", "football", "baseball",
        "soccer", "rugby", "cricket", "liverpool", "arsenal", "chelsea", "manchester", "manutd",
        "tottenham", "everton", "celtic", "rangers", "sunshine", "princess", "master", "shadow",
        "superman", "batman", "trustno1", "freedom", "whatever", "starwars", "pokemon", "michael",
        "jennifer", "jessica", "charlie", "daniel", "thomas", "george", "hannah", "oliver",
        "jordan", "hunter", "ranger", "buster", "tigger", "ginger", "pepper", "summer",
        "winter", "autumn", "spring", "flower", "flowers", "cookie", "chocolate", "cheese",
        "computer", "internet", "samsung", "apple", "google", "facebook", "hello", "hello123",
        "secret", "secret123", "changeme", "change", "default", "guest", "test", "testing",
        "tester", "temp", "temporary", "lovely", "loveme", "love", "lover", "angel",
        "angels", "family", "friends", "friend", "happy", "smile", "biscuit", "puppy",
        "kitten", "charlotte", "jasmine", "daisy", "poppy", "bailey", "maggie", "molly",
        "sophie", "chloe", "emily", "amelia", "jack", "harry", "william", "matthew",
        "andrew", "joshua", "james", "robert", "david", "richard", "joseph", "mother",
        "father", "mummy", "daddy", "nanny", "grandma", "grandad", "england", "london",
        "scotland", "wales", "ireland", "britain", "united", "kingdom", "carehome", "care",
        "carer", "carers", "caring", "nurse", "nursing", "nurses", "manager", "doctor",
        "health", "healthcare", "nhs", "hospital", "resident", "residents", "patient", "patients",
        "medicine", "medication", "clinic", "surgery", "staff", "home", "homecare", "careworker",
        "support", "senior", "office", "reception", "willow", "court", "password1", "password12",
        "password123", "password1234", "mypassword", "yourpassword", "newpassword", "oldpassword", "strongpassword", "securepassword",
    ]

    /// Refused as they stand (lower-cased).
    static let whole: Set<String> = [
        "1234567890", "0987654321", "12345678910", "123456789", "1234567891", "0123456789", "1111111111", "0000000000",
        "1122334455", "1qaz2wsx", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc", "qwerty123", "qwerty1234", "qwertyuiop1",
        "qwe123qwe123", "zaq12wsx", "123qweasd", "123qweasdzxc", "asdasdasd", "qweqweqwe", "abcd1234", "abcd12345",
        "abc1234567", "aaaaaaaaaa", "a1b2c3d4e5", "iloveyou12", "iloveyou123", "letmein123", "welcome123", "welcome1234",
        "football12", "football123", "monkey1234", "sunshine12", "princess12", "dragon1234", "superman12", "batman1234",
        "password01", "passw0rd12", "p@ssw0rd12", "changeme12", "changeme123", "administrator1", "admin12345", "admin123456",
        "liverpool1", "chelsea123", "arsenal123", "manchester1", "starwars12", "pokemon123", "whatever12", "trustno1234",
        "1234qwer", "1234abcd", "12344321", "123454321", "987654321", "9876543210", "147258369", "159357456",
        "741852963", "789456123", "123123123", "1231231234", "121212121212", "112233445566", "10203040", "1029384756",
        "5555555555", "7777777777", "9999999999", "6969696969", "12345qwert", "12345qwerty", "qwert12345", "asdf1234",
        "zxcv1234", "password!1", "password1!", "password12!", "password123!", "welcome1!", "letmein1!", "qwerty123!",
        "carehome1", "carehome12", "carehome123", "nurse12345", "carer12345", "manager123", "manager1234",
    ]
}
